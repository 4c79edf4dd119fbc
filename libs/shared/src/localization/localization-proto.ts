import protobuf from 'protobufjs';
import { fromJSON } from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';

/**
 * The LocalizationApi gRPC contract, the single source of truth for the client and the test peer.
 * It lives in a TS module (not a .proto file) so it survives `nest build` (tsc copies no assets).
 * peers/localization/localization.proto is a human-readable copy that a unit test keeps identical.
 */
export const LOCALIZATION_PROTO = `syntax = "proto3";

option csharp_namespace = "LocalizationApi";

package localization;

service LocalizationGrpcService {
  rpc GetLocalizedString (LocalizationRequest) returns (LocalizationResponse);
}

message LocalizationRequest {
  string resource_key = 1;
  string locale = 2;
  map<string, string> parameters = 3;
}

message LocalizationResponse {
  string localized_string = 1;
  bool success = 2;
  string error_message = 3;
}
`;

/** A LocalizationRequest as grpc-js hands it over (field names camelCased by the loader). */
export interface LocalizationRequestMessage {
  resourceKey: string;
  locale: string;
  parameters: Record<string, string>;
}

export interface LocalizationResponseMessage {
  localizedString: string;
  success: boolean;
  errorMessage: string;
}

export interface LocalizationGrpcDefinition {
  /** Client constructor for `localization.LocalizationGrpcService`. */
  Client: ServiceClientConstructor;
  /** Service definition, for `grpc.Server#addService`. */
  service: ServiceDefinition;
}

let loaded: LocalizationGrpcDefinition | undefined;

export function localizationGrpcDefinition(): LocalizationGrpcDefinition {
  if (loaded) return loaded;
  const { root } = protobuf.parse(LOCALIZATION_PROTO, { keepCase: false });
  // defaults: proto3 omits false/empty fields on the wire; without defaults `success` would be undefined.
  const packageDefinition = fromJSON(root.toJSON(), { defaults: true, longs: String, enums: String });
  const pkg = loadPackageDefinition(packageDefinition).localization as GrpcObject;
  const Client = pkg.LocalizationGrpcService as ServiceClientConstructor;
  loaded = { Client, service: Client.service };
  return loaded;
}
