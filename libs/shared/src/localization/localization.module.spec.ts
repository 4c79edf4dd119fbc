import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { startLocalizationServer, type LocalizationServer } from '../../../../peers/localization/localization-server.js';
import { localizationConfigFrom, localizationEnv, type LocalizationConfig } from '../config/localization.env.js';
import { ConfigValidationError, parseEnv } from '../config/env.js';
import { CachingLocalizer } from './caching-localizer.js';
import { EmbeddedCatalogLocalizer } from './embedded-localizer.js';
import { FallbackLocalizer } from './fallback-localizer.js';
import { GrpcLocalizer } from './grpc-localizer.js';
import { LOCALIZATION_CONFIG, LocalizationModule } from './localization.module.js';
import { LOCALIZER, type Localizer } from './localizer.js';

const schema = z.object(localizationEnv);
const configFrom = (env: NodeJS.ProcessEnv) => localizationConfigFrom(parseEnv(schema, env));

describe('localization env', () => {
  it('has defaults and no URL (embedded catalog) when nothing is set', () => {
    expect(configFrom({})).toEqual({ timeoutMs: 2000, cacheSize: 10000, cacheMaxBytes: 4194304, cacheTtlMs: 300000 });
  });

  it('reads every variable; a blank URL counts as unset', () => {
    expect(
      configFrom({
        LOCALIZATION_API_URL: 'http://localization-api:8888',
        LOCALIZATION_TIMEOUT_MS: '500',
        LOCALIZATION_CACHE_SIZE: '20',
        LOCALIZATION_CACHE_MAX_BYTES: '65536',
        LOCALIZATION_CACHE_TTL_MS: '1000',
      }),
    ).toEqual({ url: 'http://localization-api:8888', timeoutMs: 500, cacheSize: 20, cacheMaxBytes: 65536, cacheTtlMs: 1000 });
    expect(configFrom({ LOCALIZATION_API_URL: '  ' }).url).toBeUndefined();
    expect(configFrom({ LOCALIZATION_API_URL: 'localhost:50051' }).url).toBe('localhost:50051');
  });

  it.each(['ftp://x:1', 'localhost', 'http://', 'http://host:1/path', 'host:99999'])('rejects LOCALIZATION_API_URL=%s', (url) => {
    expect(() => configFrom({ LOCALIZATION_API_URL: url })).toThrow(ConfigValidationError);
  });

  it('rejects non-positive numbers, naming the variable', () => {
    expect(() => configFrom({ LOCALIZATION_TIMEOUT_MS: '0' })).toThrow(/LOCALIZATION_TIMEOUT_MS/);
  });
});

@Injectable()
class Greeter {
  constructor(@Inject(LOCALIZER) readonly localizer: Localizer) {}
}

const config = (url?: string): LocalizationConfig => ({
  ...(url ? { url } : {}),
  timeoutMs: 1000,
  cacheSize: 100,
  cacheMaxBytes: 1024 * 1024,
  cacheTtlMs: 60_000,
});

describe('LocalizationModule', () => {
  let server: LocalizationServer;

  beforeAll(async () => {
    server = await startLocalizationServer();
  });
  afterAll(() => server.stop());

  it('uses the cached embedded catalog when no LocalizationApi URL is set', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [LocalizationModule.forRoot(config())], providers: [Greeter] }).compile();
    const localizer = moduleRef.get(Greeter).localizer;
    expect(localizer).toBeInstanceOf(CachingLocalizer);
    expect((localizer as CachingLocalizer).inner).toBeInstanceOf(EmbeddedCatalogLocalizer);
    await expect(localizer.localize('WelcomeMessage', 'es-ES')).resolves.toBe('¡Bienvenido a Nudges!');
    await moduleRef.close();
  });

  it('uses the cached gRPC client when a URL is set (forRootAsync), and closes its channel on shutdown', async () => {
    const CONFIG_SOURCE = Symbol('CONFIG_SOURCE');
    @Module({ providers: [{ provide: CONFIG_SOURCE, useValue: config(server.url) }], exports: [CONFIG_SOURCE] })
    class ConfigSourceModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        LocalizationModule.forRootAsync({
          imports: [ConfigSourceModule],
          inject: [CONFIG_SOURCE],
          useFactory: (c: LocalizationConfig) => c,
        }),
      ],
      providers: [Greeter],
    }).compile();
    const localizer = moduleRef.get(Greeter).localizer as CachingLocalizer;
    expect(localizer.inner).toBeInstanceOf(FallbackLocalizer);
    expect((localizer.inner as FallbackLocalizer).primary).toBeInstanceOf(GrpcLocalizer);
    expect((localizer.inner as FallbackLocalizer).fallback).toBeInstanceOf(EmbeddedCatalogLocalizer);
    expect(moduleRef.get(LOCALIZATION_CONFIG)).toEqual(config(server.url));

    const callsBefore = server.calls;
    await expect(localizer.localize('AnnouncementSent', 'es-ES', { count: '5' })).resolves.toBe('Enviado a 5 suscriptores');
    expect(server.calls).toBe(callsBefore + 1);
    // A key the LocalizationApi lacks is asked for, then rendered from the embedded catalog.
    await expect(localizer.localize('WelcomeMessage', 'es-ES')).resolves.toBe('¡Bienvenido a Nudges!');
    expect(server.calls).toBe(callsBefore + 2);

    await moduleRef.close();
    // After shutdown the channel is closed: a new (uncached) render cannot reach the server.
    await expect(localizer.inner.localize('WelcomeMessage', 'en-US')).rejects.toMatchObject({ kind: 'unavailable' });
    expect(server.calls).toBe(callsBefore + 2);
  });
});
