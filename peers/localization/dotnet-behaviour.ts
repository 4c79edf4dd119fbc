/**
 * How the real LocalizationApi (ASP.NET Core gRPC, .NET with ICU globalization) turns a request
 * into text or an error, reimplemented for the test peer. Deliberately independent of
 * libs/shared/src/localization: the peer must be able to disagree with the code it tests.
 */
import type { ResourceSets } from './resources.js';

/** An exception the C# handler would throw; the server turns it into a gRPC status. */
export class DotnetException extends Error {
  constructor(
    /** The .NET exception type name, as ASP.NET Core gRPC reports it. */
    readonly typeName: string,
    message: string,
  ) {
    super(message);
    this.name = typeName;
  }
}

/**
 * `new CultureInfo(name)` on .NET with ICU: a syntactically acceptable name (2 to 85 characters,
 * ASCII letters, digits and `-`, at most one `_` introducing a sort order) is accepted even if no
 * culture of that name exists (`xx-YY` works, like `fr-FR`); anything else throws
 * CultureNotFoundException with this message.
 */
export function createCulture(name: string): string {
  if (!/^[A-Za-z0-9-]+(_[A-Za-z0-9-]*)?$/.test(name) || name.length < 2 || name.length > 85) {
    throw new DotnetException(
      'CultureNotFoundException',
      `Culture is not supported. (Parameter 'name')\n${name} is an invalid culture identifier.`,
    );
  }
  return name;
}

/**
 * The cultures ResourceManager probes, most specific first, ending with the neutral resources:
 * `es-MX` → `es-MX`, `es`, neutral. Culture names compare case-insensitively.
 */
export function resourceFallbackChain(culture: string): string[] {
  const chain: string[] = [];
  let name = culture.split('_')[0]!.toLowerCase();
  while (name !== '') {
    chain.push(name);
    const cut = name.lastIndexOf('-');
    name = cut < 0 ? '' : name.slice(0, cut);
  }
  chain.push('');
  return chain;
}

/** ResourceManager.GetString: the text from the most specific resource set that has the key. */
export function findResource(resources: ResourceSets, key: string, culture: string): string | undefined {
  const byLowerName = new Map(Object.keys(resources).map((name) => [name.toLowerCase(), resources[name]!]));
  for (const name of resourceFallbackChain(culture)) {
    const set = byLowerName.get(name);
    if (set && Object.hasOwn(set, key)) return set[key];
  }
  return undefined;
}

/**
 * .NET's `\w`: letters, combining marks, decimal digits and connector punctuation (RegexOptions
 * without ECMAScript), so `{año}` is a placeholder too.
 */
const PLACEHOLDER = /\{([\p{L}\p{Mn}\p{Nd}\p{Pc}]+)\}/gu;

/**
 * The service's FormatWithReplacements: the placeholders are found in the stored text, `\n`
 * (backslash, n) is turned into a line break, then for each placeholder found, in order, every
 * occurrence of `{name}` in the text so far is replaced with `parameters[name]`. A placeholder
 * without a parameter throws KeyNotFoundException (a Dictionary indexer); the request fails.
 * Because the replacement runs on the text so far, a parameter value containing `{other}` is itself
 * substituted if `{other}` is a later placeholder of the stored text.
 */
export function formatWithReplacements(stored: string, parameters: Readonly<Record<string, string>>): string {
  const names = [...stored.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  let text = stored.split('\\n').join('\n');
  for (const name of names) {
    if (!Object.hasOwn(parameters, name)) {
      throw new DotnetException('KeyNotFoundException', `The given key '${name}' was not present in the dictionary.`);
    }
    text = text.split(`{${name}}`).join(parameters[name]!);
  }
  return text;
}

/**
 * The status message ASP.NET Core gRPC sends for an exception a handler did not catch, with
 * `EnableDetailedErrors = true` as the LocalizationApi's Program.cs sets it (status UNKNOWN).
 */
export const unhandledExceptionDetails = (e: DotnetException): string => `Exception was thrown by handler. ${e.typeName}: ${e.message}`;
