import fc from 'fast-check';
import { InvalidAmountError, decimalToJsonNumber, minorToMajor, minorUnitDigits } from './money.js';

describe('minorToMajor', () => {
  it.each([
    [999, 'usd', '9.99'],
    [1000, 'usd', '10'],
    [5, 'eur', '0.05'],
    [0, 'usd', '0'],
    [500, 'jpy', '500'],
    [500, 'JPY', '500'],
    [12345, 'krw', '12345'],
    [1500, 'kwd', '1.5'],
    [1, 'bhd', '0.001'],
    [50000, 'isk', '500'],
    ['1234.5', 'usd', '12.345'],
    ['0.5', 'usd', '0.005'],
    ['007', 'usd', '0.07'],
    ['12.50', 'jpy', '12.5'],
  ])('%p %s → %s', (amount, currency, expected) => {
    expect(minorToMajor(amount, currency)).toBe(expected);
  });

  it('rejects what is not a decimal amount', () => {
    for (const bad of ['', '1e3', 'abc', '1.', '.5', '1,5']) expect(() => minorToMajor(bad, 'usd')).toThrow(InvalidAmountError);
    expect(() => minorToMajor(1.5, 'usd')).toThrow(InvalidAmountError);
    expect(() => minorToMajor(2 ** 60, 'usd')).toThrow(InvalidAmountError);
  });

  it('agrees with integer arithmetic for every integer amount and currency exponent', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.constantFrom('usd', 'jpy', 'kwd'), (amount, currency) => {
        const scale = 10n ** BigInt(minorUnitDigits(currency));
        const whole = amount / scale;
        const fraction = (amount % scale).toString().padStart(minorUnitDigits(currency), '0').replace(/0+$/, '');
        const expected = fraction ? `${whole}.${fraction}` : `${whole}`;
        expect(minorToMajor(amount.toString(), currency)).toBe(expected);
      }),
    );
  });
});

describe('decimalToJsonNumber', () => {
  it('keeps the exact digits in JSON', () => {
    for (const d of ['9.99', '0.1', '12.345', '500', '0.07', '123456789.12']) {
      expect(JSON.stringify(decimalToJsonNumber(d))).toBe(d);
    }
  });

  it('refuses a decimal a JSON number would round', () => {
    expect(() => decimalToJsonNumber('12345678901234567.89')).toThrow(InvalidAmountError);
  });
});
