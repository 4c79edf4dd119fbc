import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { EMBEDDED_CATALOG, catalogLocales, lookupTemplate, type Catalog } from '../../libs/shared/src/localization/catalog.js';
import {
  localizationGrpcDefinition,
  type LocalizationRequestMessage,
  type LocalizationResponseMessage,
} from '../../libs/shared/src/localization/localization-proto.js';
import { renderTemplate } from '../../libs/shared/src/localization/render.js';

export type LocalizationServerMode = 'ok' | 'slow' | 'fail';

export interface LocalizationServerOptions {
  /** 0 (default) picks a free port; pass a previous server's port to restart "the same" server. */
  port?: number;
  host?: string;
  /** Resources served; defaults to the catalog embedded in libs/shared. */
  catalog?: Catalog;
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
  /** Stops listening and drops every connection ("LocalizationApi down"). */
  stop(): Promise<void>;
}

type Call = ServerUnaryCall<LocalizationRequestMessage, LocalizationResponseMessage>;
type Answer = sendUnaryData<LocalizationResponseMessage>;

/**
 * A stand-in for Nudges' LocalizationApi, built from the same proto as the client. Like the C#
 * service it renders server-side (placeholders from `parameters`, `\n` as a line break), falls back
 * es-MX → es-ES → en-US, and answers an unknown key with success=false and the key itself.
 */
export async function startLocalizationServer(options: LocalizationServerOptions = {}): Promise<LocalizationServer> {
  const host = options.host ?? '127.0.0.1';
  const catalog = options.catalog ?? EMBEDDED_CATALOG;
  const locales = catalogLocales(catalog);
  let mode: LocalizationServerMode = 'ok';
  let slowMs = options.slowMs ?? 5000;
  let calls = 0;
  const delayed = new Set<NodeJS.Timeout>();

  const answer = (call: Call): LocalizationResponseMessage => {
    const { resourceKey, locale, parameters } = call.request;
    const found = lookupTemplate(catalog, resourceKey, locale, locales);
    if (!found) return { localizedString: resourceKey, success: false, errorMessage: `Resource key '${resourceKey}' not found.` };
    return { localizedString: renderTemplate(found.template, parameters ?? {}), success: true, errorMessage: '' };
  };

  const getLocalizedString = (call: Call, callback: Answer): void => {
    calls += 1;
    if (mode === 'fail') {
      callback({ code: status.UNAVAILABLE, details: 'localization peer is in fail mode' });
      return;
    }
    if (mode === 'ok') {
      callback(null, answer(call));
      return;
    }
    const timer = setTimeout(() => {
      delayed.delete(timer);
      if (!call.cancelled) callback(null, answer(call));
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
    stop,
  };
}
