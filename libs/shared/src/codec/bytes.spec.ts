import fc from 'fast-check';
import { fromEncodedBytes, toEncodedBytes } from './bytes.js';

describe('EncodedBytes', () => {
  it('uses utf8 for valid UTF-8 and base64 otherwise', () => {
    expect(toEncodedBytes(Buffer.from('héllo'))).toEqual({ encoding: 'utf8', data: 'héllo' });
    expect(toEncodedBytes('plain')).toEqual({ encoding: 'utf8', data: 'plain' });
    expect(toEncodedBytes(Buffer.from([0xff, 0x00, 0x7b, 0x7d]))).toEqual({ encoding: 'base64', data: '/wB7fQ==' });
    expect(toEncodedBytes(Buffer.from([0xed, 0xa0, 0x80]))).toEqual({ encoding: 'base64', data: '7aCA' }); // encoded surrogate
    expect(toEncodedBytes(null)).toBeNull();
  });

  it('keeps a byte-order mark', () => {
    const withBom = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    expect(fromEncodedBytes(toEncodedBytes(withBom))).toEqual(withBom);
  });

  it('round-trips any bytes exactly, also through JSON', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const buf = Buffer.from(raw);
        const viaJson = JSON.parse(JSON.stringify(toEncodedBytes(buf)));
        expect(fromEncodedBytes(viaJson).equals(buf)).toBe(true);
      }),
    );
  });

  it('round-trips UTF-8 text as utf8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 32 }), (text) => {
        const encoded = toEncodedBytes(Buffer.from(text, 'utf8'));
        expect(encoded).toEqual({ encoding: 'utf8', data: text });
      }),
    );
  });
});
