/** Where a gRPC client should connect for a LOCALIZATION_API_URL value. */
export interface LocalizationGrpcTarget {
  /** `host:port` as grpc-js expects it. */
  target: string;
  /** true for https:// (TLS); LocalizationApi is normally plaintext HTTP/2 (http:// or bare host:port). */
  secure: boolean;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Accepts `http://host:port`, `https://host:port` and `host:port` (IPv6 as `[::1]:port`).
 * Returns undefined for anything else, so config validation can report it.
 */
export function parseLocalizationUrl(value: string): LocalizationGrpcTarget | undefined {
  const trimmed = value.trim();
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    return /^(\[[0-9a-f:.]+\]|[^\s:/[\]]+):\d{1,5}$/i.test(trimmed) && validPort(trimmed.slice(trimmed.lastIndexOf(':') + 1))
      ? { target: trimmed, secure: false }
      : undefined;
  }
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  if (!URL.canParse(trimmed)) return undefined;
  const url = new URL(trimmed);
  if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '') return undefined;
  const secure = scheme === 'https';
  const port = url.port === '' ? (secure ? '443' : '80') : url.port;
  return { target: `${url.hostname}:${port}`, secure };
}

const validPort = (p: string) => Number(p) >= 1 && Number(p) <= 65535;
