export * from './gateway.errors.js';
export * from './gateway.module.js';
export { GATEWAY_OPTIONS, GatewayGraphqlClient, type GatewayOptions } from './gateway-graphql.client.js';
export { decodeNodeId, encodeNodeId, intKeyOf, uuidKeyOf, type DecodedNodeId } from './node-id.js';
export { gatewaySchemaExtensions } from './schema-extensions.js';
