import { EMBEDDED_CATALOG, catalogLocales, lookupTemplate, type Catalog } from './catalog.js';
import { LocalizationError } from './errors.js';
import type { Localizer } from './localizer.js';
import { renderTemplate } from './render.js';

/** Renders from an in-process catalog (the shipped one by default). Never unavailable. */
export class EmbeddedCatalogLocalizer implements Localizer {
  readonly locales: readonly string[];

  constructor(private readonly catalog: Catalog = EMBEDDED_CATALOG) {
    this.locales = catalogLocales(catalog);
  }

  async localize(resourceKey: string, locale: string, replacements: Readonly<Record<string, string>> = {}): Promise<string> {
    const found = lookupTemplate(this.catalog, resourceKey, locale, this.locales);
    if (!found) throw LocalizationError.unknownKey(resourceKey, locale);
    return renderTemplate(found.template, replacements);
  }
}
