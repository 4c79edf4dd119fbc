/** The GSM 03.38 default alphabet (one septet each). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Its extension table: an escape septet plus one, so two septets each. */
const GSM_EXTENDED = '^{}\\[~]|€\f';

const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  segments: number;
}

/**
 * How many SMS segments a text is sent as: GSM-7 when every character is in the GSM alphabet
 * (160 septets in one SMS, 153 per segment of a longer one), otherwise UCS-2 (70 UTF-16 units in
 * one SMS, 67 per segment). An emoji is two UTF-16 units.
 */
export function smsSegments(text: string): SmsSegments {
  let septets = 0;
  for (const ch of text) {
    if (BASIC.has(ch)) septets += 1;
    else if (EXTENDED.has(ch)) septets += 2;
    else return segmentsOf('UCS-2', text.length, 70, 67);
  }
  return segmentsOf('GSM-7', septets, 160, 153);
}

function segmentsOf(encoding: SmsEncoding, units: number, single: number, perPart: number): SmsSegments {
  return { encoding, units, segments: units <= single ? 1 : Math.ceil(units / perPart) };
}
