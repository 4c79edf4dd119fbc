import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';

/**
 * The LocalizationApi gRPC contract, the single source of truth for the client and the test peer:
 * localization.proto beside this file. `nest build` copies it next to the emitted JavaScript (an
 * asset in nest-cli.json), so it is read from the same relative place at run time and in tests.
 */
export const LOCALIZATION_PROTO_PATH = fileURLToPath(new URL('./localization.proto', import.meta.url));

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
  // defaults: proto3 omits false/empty fields on the wire; without defaults `success` would be undefined.
  const packageDefinition = loadSync(LOCALIZATION_PROTO_PATH, { keepCase: false, defaults: true, longs: String, enums: String });
  const pkg = loadPackageDefinition(packageDefinition).localization as GrpcObject;
  const Client = pkg.LocalizationGrpcService as ServiceClientConstructor;
  loaded = { Client, service: Client.service };
  return loaded;
}
