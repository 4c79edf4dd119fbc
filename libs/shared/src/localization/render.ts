/** Locales every backend serves; the first is the default and the last resort of the fallback. */
export const SUPPORTED_LOCALES = ['en-US', 'es-ES'] as const;
export const DEFAULT_LOCALE = 'en-US';

const PLACEHOLDER = /\{(\w+)\}/g;
const ESCAPED_NEWLINE = /\\n/g;

/**
 * Renders a stored resource string: the two characters `\n` become a line break, then each
 * `{name}` is replaced by `replacements[name]`; a placeholder without a value stays as written.
 * One pass, so a replacement value containing `{x}` or `\n` is inserted literally.
 */
export function renderTemplate(template: string, replacements: Readonly<Record<string, string>> = {}): string {
  return template.replace(ESCAPED_NEWLINE, '\n').replace(PLACEHOLDER, (whole, name: string) => {
    const value = Object.hasOwn(replacements, name) ? replacements[name] : undefined;
    return typeof value === 'string' ? value : whole;
  });
}

/** Names of the `{name}` placeholders in a template, in order of first appearance. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Picks the locale to serve: the exact locale (case-insensitive, `_` accepted for `-`), else one
 * with the same language (`es-MX` → `es-ES`), else `fallback` (en-US).
 */
export function resolveLocale(
  requested: string,
  available: readonly string[] = SUPPORTED_LOCALES,
  fallback: string = DEFAULT_LOCALE,
): string {
  if (available.includes(requested)) return requested;
  const wanted = (requested ?? '').trim().replace(/_/g, '-').toLowerCase();
  if (wanted === '') return fallback;
  const exact = available.find((l) => l.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split('-')[0];
  return available.find((l) => l.toLowerCase().split('-')[0] === language) ?? fallback;
}
