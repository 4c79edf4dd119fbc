import { Inject, Injectable } from '@nestjs/common';
import { catalogLocales, EMBEDDED_CATALOG } from '@app/shared/localization/catalog.js';
import { LOCALIZER, type Localizer } from '@app/shared/localization/localizer.js';
import { smsSegments } from './sms-segments.js';

/** The announcement as subscribers will receive it: its longest rendering over the locales. */
export interface AnnouncementSize {
  /** UTF-16 code units, as Twilio counts the 1,600-character body limit. */
  length: number;
  segments: number;
}

/**
 * Measures an announcement before it is drafted: rendered with the client's name and link in each
 * locale subscribers may have (AnnouncementTemplate), the longest rendering counts, because the
 * same draft goes to subscribers of every locale.
 */
@Injectable()
export class AnnouncementSizer {
  private readonly locales = catalogLocales(EMBEDDED_CATALOG);

  constructor(@Inject(LOCALIZER) private readonly localizer: Localizer) {}

  async measure(clientName: string, link: string, text: string): Promise<AnnouncementSize> {
    const rendered = await Promise.all(
      this.locales.map((locale) => this.localizer.localize('AnnouncementTemplate', locale, { clientName, smsBody: text, link })),
    );
    return rendered.map((body) => ({ length: body.length, segments: smsSegments(body).segments })).reduce(largest);
  }
}

const largest = (a: AnnouncementSize, b: AnnouncementSize): AnnouncementSize => ({
  length: Math.max(a.length, b.length),
  segments: Math.max(a.segments, b.segments),
});
