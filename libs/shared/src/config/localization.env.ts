import { z } from 'zod';
import { parseLocalizationUrl } from '../localization/localization-url.js';
import { optionalString, positiveInt } from './env.js';
import { configNamespace } from './app-config.module.js';

/** `LOCALIZATION_API_URL` as Nudges deploys it (`http://localization-api:8888`) or bare `host:port`. */
const localizationUrl = () =>
  optionalString().refine((v) => v === undefined || parseLocalizationUrl(v) !== undefined, 'must be http://host:port or host:port');

export const localizationEnv = {
  LOCALIZATION_API_URL: localizationUrl().meta({
    description: 'LocalizationApi gRPC endpoint (plaintext HTTP/2); unset = use the catalog embedded in the app',
  }),
  LOCALIZATION_TIMEOUT_MS: positiveInt(2000).meta({ description: 'deadline of each LocalizationApi call, in ms' }),
  LOCALIZATION_CACHE_SIZE: positiveInt(10000).meta({ description: 'most rendered strings kept in the in-process LRU cache' }),
  LOCALIZATION_CACHE_MAX_BYTES: positiveInt(4 * 1024 * 1024).meta({
    description: 'most memory the render cache holds (keys and texts, 2 bytes a character); a single larger render is not cached',
  }),
  LOCALIZATION_CACHE_TTL_MS: positiveInt(300000).meta({ description: 'how long a rendered string stays cached, in ms' }),
};

export interface LocalizationConfig {
  /** LocalizationApi endpoint; undefined selects the embedded catalog. */
  url?: string;
  timeoutMs: number;
  cacheSize: number;
  cacheMaxBytes: number;
  cacheTtlMs: number;
}

export function localizationConfigFrom(e: z.output<z.ZodObject<typeof localizationEnv>>): LocalizationConfig {
  return {
    ...(e.LOCALIZATION_API_URL === undefined ? {} : { url: e.LOCALIZATION_API_URL }),
    timeoutMs: e.LOCALIZATION_TIMEOUT_MS,
    cacheSize: e.LOCALIZATION_CACHE_SIZE,
    cacheMaxBytes: e.LOCALIZATION_CACHE_MAX_BYTES,
    cacheTtlMs: e.LOCALIZATION_CACHE_TTL_MS,
  };
}

export const localizationConfig = configNamespace<LocalizationConfig>('localization');
