import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import { localizationConfig, type LocalizationConfig } from '../config/localization.env.js';
import { CachingLocalizer } from './caching-localizer.js';
import { EmbeddedCatalogLocalizer } from './embedded-localizer.js';
import { FallbackLocalizer } from './fallback-localizer.js';
import { GrpcLocalizer } from './grpc-localizer.js';
import { LOCALIZER, isClosableLocalizer, type Localizer } from './localizer.js';

export const LOCALIZATION_CONFIG = Symbol('LOCALIZATION_CONFIG');

/**
 * The app's Localizer: the LocalizationApi over gRPC when `config.url` is set, falling back to the
 * embedded catalog for keys the server lacks (or requests it rejects), else the embedded catalog
 * alone; either way behind the render cache.
 */
export function createLocalizer(config: LocalizationConfig): CachingLocalizer {
  const backend = config.url
    ? new FallbackLocalizer(new GrpcLocalizer({ url: config.url, timeoutMs: config.timeoutMs }), new EmbeddedCatalogLocalizer())
    : new EmbeddedCatalogLocalizer();
  return new CachingLocalizer(backend, { maxEntries: config.cacheSize, maxBytes: config.cacheMaxBytes, ttlMs: config.cacheTtlMs });
}

export function describeLocalizer(localizer: Localizer): string {
  const backend = localizer instanceof CachingLocalizer ? localizer.inner : localizer;
  if (backend instanceof FallbackLocalizer)
    return `${describeLocalizer(backend.primary)}, falling back to the ${describeLocalizer(backend.fallback)}`;
  if (backend instanceof GrpcLocalizer) return `LocalizationApi (gRPC) at ${backend.target}`;
  if (backend instanceof EmbeddedCatalogLocalizer) return 'embedded catalog';
  return backend.constructor.name;
}

export interface LocalizationModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => LocalizationConfig | Promise<LocalizationConfig>;
  isGlobal?: boolean;
}

@Injectable()
class LocalizerShutdown implements OnModuleDestroy {
  constructor(@Inject(LOCALIZER) private readonly localizer: Localizer) {}

  async onModuleDestroy(): Promise<void> {
    if (isClosableLocalizer(this.localizer)) await this.localizer.close();
  }
}

/** Provides `LOCALIZER` (a Localizer) and `LOCALIZATION_CONFIG`; closes the gRPC channel on shutdown. */
@Module({})
export class LocalizationModule {
  static forRoot(config: LocalizationConfig, options: { isGlobal?: boolean } = {}): DynamicModule {
    return LocalizationModule.build([], { provide: LOCALIZATION_CONFIG, useValue: config }, options.isGlobal);
  }

  static forRootAsync(options: LocalizationModuleAsyncOptions): DynamicModule {
    const configProvider: Provider = {
      provide: LOCALIZATION_CONFIG,
      inject: options.inject ?? [],
      useFactory: options.useFactory,
    };
    return LocalizationModule.build(options.imports ?? [], configProvider, options.isGlobal);
  }

  /** Configured by the app's `localization` config section (LOCALIZATION_API_URL, ...). */
  static fromAppConfig(options: { isGlobal?: boolean } = {}): DynamicModule {
    return LocalizationModule.forRootAsync({
      isGlobal: options.isGlobal ?? false,
      inject: [localizationConfig.KEY],
      useFactory: (config: LocalizationConfig) => config,
    });
  }

  private static build(imports: ModuleMetadata['imports'], configProvider: Provider, isGlobal = false): DynamicModule {
    const localizerProvider: FactoryProvider = {
      provide: LOCALIZER,
      inject: [LOCALIZATION_CONFIG],
      useFactory: (config: LocalizationConfig) => {
        const localizer = createLocalizer(config);
        new Logger('LocalizationModule').log(`Localizing with the ${describeLocalizer(localizer)}`);
        return localizer;
      },
    };
    return {
      module: LocalizationModule,
      global: isGlobal,
      imports: imports ?? [],
      providers: [configProvider, localizerProvider, LocalizerShutdown],
      exports: [LOCALIZER, LOCALIZATION_CONFIG],
    };
  }
}
