export * from './gateway.errors.js';
export * from './gateway.module.js';
export * from './gateway.types.js';
export { GATEWAY_OPTIONS, NudgesGateway, type GatewayOptions } from './nudges-gateway.js';
export { decodeNodeId, encodeNodeId, intKeyOf, uuidKeyOf, type DecodedNodeId } from './node-id.js';
export { gatewaySchemaExtensions } from './schema-extensions.js';
