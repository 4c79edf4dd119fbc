import { smsSegments } from './sms-segments.js';

describe('smsSegments', () => {
  it('counts a GSM-7 text up to 160 septets as one SMS and 161 as two segments of 153', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts the extension characters (€, brackets) as two septets', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments(`${'€'.repeat(80)}a`).segments).toBe(2);
  });

  it('switches to UCS-2 for any character outside the GSM alphabet (70 units, then 67 per segment)', () => {
    expect(smsSegments(`${'a'.repeat(69)}ç`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSegments(`${'a'.repeat(70)}ç`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    // An emoji is a surrogate pair: two UTF-16 units.
    expect(smsSegments('🎉'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
  });

  it('keeps Spanish accents of the GSM alphabet (é, ñ, ü) in GSM-7 but not á, í, ó, ú', () => {
    expect(smsSegments('Ñandú').encoding).toBe('UCS-2');
    expect(smsSegments('Pequeño café').encoding).toBe('GSM-7');
  });
});
