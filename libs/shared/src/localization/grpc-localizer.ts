import { Metadata, credentials, status, type ChannelOptions, type Client, type ServiceError } from '@grpc/grpc-js';
import {
  ATTR_LOCALIZATION_RESOURCE_KEY,
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_SERVER_ADDRESS,
} from '../tracing/attributes.js';
import { SpanKind, inSpan, traceHeaders } from '../tracing/spans.js';
import { LocalizationError } from './errors.js';
import { localizationGrpcDefinition, type LocalizationRequestMessage, type LocalizationResponseMessage } from './localization-proto.js';
import { parseLocalizationUrl } from './localization-url.js';
import type { ClosableLocalizer } from './localizer.js';
import { SUPPORTED_LOCALES, resolveLocale } from './render.js';

export interface GrpcLocalizerOptions {
  /** LOCALIZATION_API_URL: `http://host:port` or `host:port`. */
  url: string;
  /** Deadline of each call. */
  timeoutMs: number;
  /** Locales the server has; requests are sent with the resolved locale. */
  locales?: readonly string[];
  /** Extra grpc-js channel options (merged over the defaults below). */
  channelOptions?: ChannelOptions;
}

/**
 * Reconnect quickly after the LocalizationApi restarts: grpc-js backs off up to 120 s by default,
 * which would fail every call for minutes after a short outage.
 */
const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2000,
};

type Callback = (err: ServiceError | null, res?: LocalizationResponseMessage) => void;
interface LocalizationClient extends Client {
  GetLocalizedString(req: LocalizationRequestMessage, metadata: Metadata, options: { deadline: number }, cb: Callback): unknown;
}

/**
 * Localizer backed by Nudges' LocalizationApi over gRPC. One long-lived channel; grpc-js reconnects
 * by itself after the server goes away. The server renders placeholders and `\n`; this class only
 * resolves the locale (so `es-MX` is asked as `es-ES`, and a malformed locale never reaches the
 * server as an invalid culture), drops the stray backslash of Spanish line breaks, and maps failures
 * to LocalizationError (`success=false` → unknown-key; the server's KeyNotFoundException /
 * CultureNotFoundException → rejected). Keys the server lacks are handled by FallbackLocalizer.
 */
export class GrpcLocalizer implements ClosableLocalizer {
  readonly target: string;
  private readonly client: LocalizationClient;
  private readonly timeoutMs: number;
  private readonly locales: readonly string[];

  constructor(options: GrpcLocalizerOptions) {
    const parsed = parseLocalizationUrl(options.url);
    if (!parsed) throw new TypeError('LocalizationApi URL must be http://host:port or host:port');
    const { Client } = localizationGrpcDefinition();
    this.target = parsed.target;
    this.timeoutMs = options.timeoutMs;
    this.locales = options.locales ?? SUPPORTED_LOCALES;
    const creds = parsed.secure ? credentials.createSsl() : credentials.createInsecure();
    this.client = new Client(parsed.target, creds, {
      ...DEFAULT_CHANNEL_OPTIONS,
      ...options.channelOptions,
    }) as unknown as LocalizationClient;
  }

  localize(resourceKey: string, locale: string, replacements: Readonly<Record<string, string>> = {}): Promise<string> {
    const attributes = {
      [ATTR_RPC_SYSTEM]: 'grpc',
      [ATTR_RPC_SERVICE]: RPC_SERVICE,
      [ATTR_RPC_METHOD]: RPC_METHOD,
      [ATTR_SERVER_ADDRESS]: this.target,
      [ATTR_LOCALIZATION_RESOURCE_KEY]: resourceKey,
    };
    return inSpan(`${RPC_SERVICE}/${RPC_METHOD}`, { kind: SpanKind.CLIENT, attributes }, (span) =>
      this.call(resourceKey, locale, replacements, (code) => span.setAttribute(ATTR_RPC_GRPC_STATUS_CODE, code)),
    );
  }

  private call(
    resourceKey: string,
    locale: string,
    replacements: Readonly<Record<string, string>>,
    onStatus: (code: number) => void,
  ): Promise<string> {
    const resolved = resolveLocale(locale, this.locales);
    const request: LocalizationRequestMessage = { resourceKey, locale: resolved, parameters: stringValues(replacements) };
    return new Promise<string>((resolve, reject) => {
      const onAnswer: Callback = (err, res) => {
        onStatus(err ? err.code : status.OK);
        if (err) reject(this.errorFromStatus(err, resourceKey, resolved));
        else if (!res) reject(new LocalizationError('unavailable', 'LocalizationApi sent an empty answer', resourceKey, resolved));
        else if (res.success !== true) reject(LocalizationError.unknownKey(resourceKey, resolved));
        else resolve(normalizeLineBreaks(res.localizedString));
      };
      try {
        this.client.GetLocalizedString(request, traceMetadata(), { deadline: Date.now() + this.timeoutMs }, onAnswer);
      } catch (cause) {
        // grpc-js throws synchronously once the channel is closed.
        reject(new LocalizationError('unavailable', `LocalizationApi call failed: ${String(cause)}`, resourceKey, resolved, { cause }));
      }
    });
  }

  close(): void {
    this.client.close();
  }

  private errorFromStatus(err: ServiceError, resourceKey: string, locale: string): LocalizationError {
    if (err.code === status.DEADLINE_EXCEEDED) {
      return new LocalizationError('timeout', `LocalizationApi did not answer within ${this.timeoutMs} ms`, resourceKey, locale, {
        cause: err,
      });
    }
    const code = status[err.code] ?? String(err.code);
    if (isRejection(err)) {
      return new LocalizationError('rejected', `LocalizationApi rejected the request: ${err.details}`, resourceKey, locale, { cause: err });
    }
    return new LocalizationError('unavailable', `LocalizationApi at ${this.target} failed: ${code} ${err.details}`, resourceKey, locale, {
      cause: err,
    });
  }
}

/**
 * The C# LocalizationApi answers UNKNOWN "Exception was thrown by handler. <Type>: <message>" (it
 * runs with detailed errors) when a placeholder of its text has no parameter
 * (KeyNotFoundException) or the locale is not a culture name (CultureNotFoundException). Both fail
 * the same way every time: permanent, not an outage.
 */
function isRejection(err: ServiceError): boolean {
  return err.code === status.UNKNOWN && /\b(KeyNotFoundException|CultureNotFoundException):/.test(err.details ?? '');
}

/**
 * The LocalizationApi's Spanish resources store line breaks as `\\n` where the English ones store
 * `\n`, so after the server's `\n` → line break step each Spanish line break arrives preceded by a
 * stray backslash. A backslash directly before a line break is dropped.
 */
export function normalizeLineBreaks(text: string): string {
  return text.includes('\\\n') ? text.replace(/\\\n/g, '\n') : text;
}

const RPC_SERVICE = 'localization.LocalizationGrpcService';
const RPC_METHOD = 'GetLocalizedString';

/** The caller's trace context as gRPC metadata, so the LocalizationApi continues the trace. */
function traceMetadata(): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(traceHeaders())) metadata.set(name, value);
  return metadata;
}

function stringValues(replacements: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(replacements)) if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}
