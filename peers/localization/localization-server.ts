import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
// The proto (a contract artefact) is shared with the client; the behaviour is not.
import {
  localizationGrpcDefinition,
  type LocalizationRequestMessage,
  type LocalizationResponseMessage,
} from '../../libs/shared/src/localization/localization-proto.js';
import { DotnetException, createCulture, findResource, formatWithReplacements, unhandledExceptionDetails } from './dotnet-behaviour.js';
import { DEFAULT_RESOURCES, type ResourceSets } from './resources.js';

export type LocalizationServerMode = 'ok' | 'slow' | 'fail';

export interface LocalizationServerOptions {
  /** 0 (default) picks a free port; pass a previous server's port to restart "the same" server. */
  port?: number;
  host?: string;
  /** Resources served, by culture name ('' = neutral); defaults to the peer's own table (resources.ts). */
  resources?: ResourceSets;
  /**
   * The culture an empty `locale` means: the real server uses the request culture set by ASP.NET
   * Core's request localization, `en-US` for a gRPC call (no Accept-Language). Default 'en-US'.
   */
  defaultCulture?: string;
  /** Delay of answers in 'slow' mode (default 5000 ms). */
  slowMs?: number;
}

export interface LocalizationServer {
  /** `http://host:port`, usable as LOCALIZATION_API_URL. */
  readonly url: string;
  readonly port: number;
  /** GetLocalizedString calls received since start (in every mode). */
  readonly calls: number;
  /** 'ok' answers, 'slow' answers after slowMs, 'fail' answers gRPC UNAVAILABLE. */
  setMode(mode: LocalizationServerMode): void;
  setSlowMs(ms: number): void;
  /**
   * Replaces (or, with `undefined`, removes) one stored text, e.g. to give a key a placeholder its
   * callers do not send. `culture` '' is the neutral (English) set.
   */
  setResource(culture: string, resourceKey: string, text: string | undefined): void;
  /** Stops listening and drops every connection ("LocalizationApi down"). */
  stop(): Promise<void>;
}

type Call = ServerUnaryCall<LocalizationRequestMessage, LocalizationResponseMessage>;
type Answer = sendUnaryData<LocalizationResponseMessage>;

/**
 * A stand-in for Nudges' LocalizationApi (dotnet/LocalizationApi/Services/LocalizationService.cs),
 * built from the same proto as the client but with its own resources and renderer:
 * - renders server-side: `{name}` from `parameters`, the two characters `\n` as a line break;
 * - a placeholder with no parameter, or a locale that is not a valid culture name, fails the call
 *   with gRPC UNKNOWN `Exception was thrown by handler. <Type>: <message>`;
 * - an empty locale means en-US; cultures fall back like .NET resources (es-MX → es → neutral
 *   English; fr-FR → neutral English);
 * - an unknown key answers success=false, localized_string = the key, error_message set.
 */
export async function startLocalizationServer(options: LocalizationServerOptions = {}): Promise<LocalizationServer> {
  const host = options.host ?? '127.0.0.1';
  let resources: ResourceSets = options.resources ?? DEFAULT_RESOURCES;
  const defaultCulture = options.defaultCulture ?? 'en-US';
  let mode: LocalizationServerMode = 'ok';
  let slowMs = options.slowMs ?? 5000;
  let calls = 0;
  const delayed = new Set<NodeJS.Timeout>();

  const render = (request: LocalizationRequestMessage): LocalizationResponseMessage => {
    const { resourceKey, locale, parameters } = request;
    const culture = createCulture(locale === '' ? defaultCulture : locale);
    const stored = findResource(resources, resourceKey, culture);
    if (stored === undefined)
      return { localizedString: resourceKey, success: false, errorMessage: `Resource key '${resourceKey}' not found.` };
    return { localizedString: formatWithReplacements(stored, parameters ?? {}), success: true, errorMessage: '' };
  };

  const answer = (call: Call, callback: Answer): void => {
    let response: LocalizationResponseMessage;
    try {
      response = render(call.request);
    } catch (e) {
      if (!(e instanceof DotnetException)) throw e;
      callback({ code: status.UNKNOWN, details: unhandledExceptionDetails(e) });
      return;
    }
    callback(null, response);
  };

  const getLocalizedString = (call: Call, callback: Answer): void => {
    calls += 1;
    if (mode === 'fail') {
      callback({ code: status.UNAVAILABLE, details: 'localization peer is in fail mode' });
      return;
    }
    if (mode === 'ok') {
      answer(call, callback);
      return;
    }
    const timer = setTimeout(() => {
      delayed.delete(timer);
      if (!call.cancelled) answer(call, callback);
    }, slowMs);
    delayed.add(timer);
  };

  const server = new Server();
  const implementation: UntypedServiceImplementation = { GetLocalizedString: getLocalizedString };
  server.addService(localizationGrpcDefinition().service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      for (const timer of delayed) clearTimeout(timer);
      delayed.clear();
      // forceShutdown closes the listener and every open connection at once, like a crashed service.
      server.forceShutdown();
      resolve();
    });
    return stopped;
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get calls() {
      return calls;
    },
    setMode: (next) => {
      mode = next;
    },
    setSlowMs: (ms) => {
      slowMs = ms;
    },
    setResource: (culture, resourceKey, text) => {
      const set: Record<string, string> = { ...resources[culture] };
      if (text === undefined) delete set[resourceKey];
      else set[resourceKey] = text;
      resources = { ...resources, [culture]: set };
    },
    stop,
  };
}
