/** Already-serialised JSON, spliced into the output as is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * Writes a JSON object with its properties in exactly the order given (JavaScript's own property
 * order would put integer-like names first). Properties whose value is `undefined` are left out.
 */
export function writeJsonObject(entries: Iterable<readonly [string, unknown]>): string {
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    parts.push(`${JSON.stringify(name)}:${value instanceof RawJson ? value.text : JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}
