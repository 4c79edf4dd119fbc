import fc from 'fast-check';
import { maskPhone } from './mask.js';

describe('maskPhone', () => {
  it.each([
    ['+15555550100', '+*******0100'],
    ['+447700900123', '+********0123'],
    ['15555550100', '*******0100'],
    ['+1 (555) 555-0100', '+*******0100'],
    ['+12345', '+*2345'],
    ['+1234', '+****'],
    ['12', '***'],
    ['+', '+***'],
    ['', ''],
    ['   ', ''],
    ['oKGio6SlpqeoqaqrswkmZ7rO5tMaF0HvZvcq4c0pSRhw/jeKUlS34w==', '***'],
    ['call me at +15555550100', '***'],
  ])('masks %j as %j', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it('accepts null and undefined', () => {
    expect(maskPhone(null)).toBe('');
    expect(maskPhone(undefined)).toBe('');
  });

  it('never shows more than the last 4 digits of any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\+[1-9]\d{6,14}$/)), (input) => {
        const masked = maskPhone(input);
        const shownDigits = masked.replace(/\D/g, '');
        expect(shownDigits.length).toBeLessThanOrEqual(4);
        if (shownDigits) expect(input.replace(/\D/g, '').endsWith(shownDigits)).toBe(true);
      }),
    );
  });

  it('keeps the last 4 digits of every E.164 number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), (phone) => {
        expect(maskPhone(phone)).toBe(`+${'*'.repeat(phone.length - 5)}${phone.slice(-4)}`);
      }),
    );
  });
});
