import {
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { gatewayConfig } from '../config/gateway.env.js';
import { OidcTokenProvider, type OidcClientOptions } from '../oidc/oidc-token-provider.js';
import { GATEWAY_OPTIONS, GatewayGraphqlClient, type GatewayOptions } from './gateway-graphql.client.js';

/** What `gatewayConfigFrom(env)` returns, plus optional tuning. */
export interface GatewayModuleOptions {
  /** GRAPHQL_API_URL. */
  url: string;
  /** Per-request timeout (default 5000 ms), also used for OIDC requests unless `oidc.timeoutMs` is set. */
  timeoutMs?: number;
  oidc: OidcClientOptions;
  /** `first` of every paged request, 1 to 50 (GRAPHQL_PAGE_SIZE; default 50). */
  pageSize?: number;
}

export interface GatewayModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => GatewayModuleOptions | Promise<GatewayModuleOptions>;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  isGlobal?: boolean;
}

const MODULE_OPTIONS = 'NUDGES_GATEWAY_MODULE_OPTIONS';

/** Provides GatewayGraphqlClient (and the OidcTokenProvider it logs in with) to the clients of each concern. */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayModuleOptions, isGlobal = false): DynamicModule {
    return GatewayModule.build([{ provide: MODULE_OPTIONS, useValue: options }], [], isGlobal);
  }

  static forRootAsync(options: GatewayModuleAsyncOptions): DynamicModule {
    return GatewayModule.build(
      [{ provide: MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      options.imports ?? [],
      options.isGlobal ?? false,
    );
  }

  /** Global, configured by the app's `gateway` config section (GRAPHQL_API_URL, Oidc__*, ...). */
  static fromAppConfig(): DynamicModule {
    return GatewayModule.forRootAsync({
      isGlobal: true,
      inject: [gatewayConfig.KEY],
      useFactory: (config: GatewayModuleOptions) => config,
    });
  }

  private static build(optionProviders: Provider[], imports: NonNullable<ModuleMetadata['imports']>, isGlobal: boolean): DynamicModule {
    return {
      module: GatewayModule,
      global: isGlobal,
      imports,
      providers: [
        ...optionProviders,
        {
          provide: GATEWAY_OPTIONS,
          useFactory: (o: GatewayModuleOptions): GatewayOptions => ({
            url: o.url,
            timeoutMs: o.timeoutMs ?? 5000,
            ...(o.pageSize ? { pageSize: o.pageSize } : {}),
          }),
          inject: [MODULE_OPTIONS],
        },
        {
          provide: OidcTokenProvider,
          useFactory: (o: GatewayModuleOptions) => new OidcTokenProvider({ timeoutMs: o.timeoutMs ?? 5000, ...o.oidc }),
          inject: [MODULE_OPTIONS],
        },
        {
          provide: GatewayGraphqlClient,
          useFactory: (o: GatewayOptions, tokens: OidcTokenProvider) => new GatewayGraphqlClient(o, tokens),
          inject: [GATEWAY_OPTIONS, OidcTokenProvider],
        },
      ],
      exports: [GatewayGraphqlClient, OidcTokenProvider],
    };
  }
}
