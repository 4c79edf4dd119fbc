// Stripe amounts are integers (or decimal strings) in the currency's minor unit. Nudges stores
// major units as a .NET decimal. The conversion shifts the decimal point in the digit string, so
// no binary floating point ever touches an amount.

/** Currencies Stripe expresses without a minor unit (https://docs.stripe.com/currencies#zero-decimal). */
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
/** Currencies Stripe expresses in thousandths (https://docs.stripe.com/currencies#three-decimal). */
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Digits after the decimal point of the currency's major unit, as Stripe's API counts them. */
export function minorUnitDigits(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** An amount Stripe sent that is not a plain decimal number. */
export class InvalidAmountError extends Error {
  constructor(amount: string) {
    super(`not a decimal amount: ${JSON.stringify(amount.slice(0, 40))}`);
    this.name = 'InvalidAmountError';
  }
}

/**
 * `minorToMajor(999, 'usd')` → `"9.99"`, `minorToMajor(500, 'jpy')` → `"500"`,
 * `minorToMajor('1234.5', 'usd')` → `"12.345"`. Canonical: no leading zeros, no trailing
 * fractional zeros, no `-0`.
 */
export function minorToMajor(amount: number | string, currency: string): string {
  const text = typeof amount === 'number' ? integerText(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new InvalidAmountError(text);
  const [, sign, whole, fraction = ''] = match as unknown as [string, string, string, string | undefined];
  const digits = minorUnitDigits(currency);
  const all = `${whole}${fraction}`;
  const pointAt = whole.length - digits; // position of the decimal point in `all`
  const padded = pointAt < 1 ? `${'0'.repeat(1 - pointAt)}${all}` : all;
  const at = Math.max(pointAt, 1);
  return canonical(sign, padded.slice(0, at), padded.slice(at));
}

/**
 * The decimal string as a JSON number for the gateway's `Decimal` scalar. Exact for the amounts
 * Stripe allows (at most 12 fractional and 15 significant digits): JavaScript prints such a number
 * back as the same shortest decimal, so the JSON text carries exactly these digits.
 */
export function decimalToJsonNumber(decimal: string): number {
  const value = Number(decimal);
  if (!Number.isFinite(value) || canonical(...split(String(value))) !== canonical(...split(decimal))) {
    throw new InvalidAmountError(decimal);
  }
  return value;
}

function integerText(amount: number): string {
  if (!Number.isSafeInteger(amount)) throw new InvalidAmountError(String(amount));
  return String(amount);
}

function split(decimal: string): [string, string, string] {
  const match = DECIMAL.exec(decimal);
  if (!match) throw new InvalidAmountError(decimal);
  return [match[1] ?? '', match[2] ?? '0', match[3] ?? ''];
}

function canonical(sign: string, whole: string, fraction: string): string {
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = fraction.replace(/0+$/, '');
  const isZero = /^0*$/.test(w) && f === '';
  return `${isZero ? '' : sign}${w || '0'}${f ? `.${f}` : ''}`;
}
