/** Renders a resource key in a locale. Throws only `LocalizationError`. */
export interface Localizer {
  localize(resourceKey: string, locale: string, replacements?: Readonly<Record<string, string>>): Promise<string>;
}

/** Injection token for the app's Localizer (see LocalizationModule). */
export const LOCALIZER = Symbol('LOCALIZER');

/** A Localizer holding resources (a gRPC channel) that must be released on shutdown. */
export interface ClosableLocalizer extends Localizer {
  close(): void | Promise<void>;
}

export const isClosableLocalizer = (l: Localizer): l is ClosableLocalizer => typeof (l as Partial<ClosableLocalizer>).close === 'function';
