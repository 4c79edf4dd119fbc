// Reads a `/metrics` page (Prometheus text format 0.0.4) into samples the tests can look up.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  status: number;
  contentType: string | null;
  text: string;
  samples: Sample[];
  /** The value of the series `name` with exactly `labels`; undefined when there is no such series. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** How much the series moved since `before` (a series absent before counts from 0). */
  delta(before: Scrape, name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, raw] of (text ?? '').matchAll(LABEL)) {
    labels[name!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function toNumber(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.push({ name: match[1]!, labels: parseLabels(match[2]), value: toNumber(match[3]!) });
  }
  return samples;
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** GETs `url` (a `/metrics` endpoint) and parses it. */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  const text = await res.text();
  const samples = res.status === 200 ? parseMetrics(text) : [];
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && sameLabels(s.labels, labels))?.value;
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text,
    samples,
    value,
    delta: (before, name, labels = {}) => (value(name, labels) ?? 0) - (before.value(name, labels) ?? 0),
  };
}
