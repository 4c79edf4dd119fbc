const PHONE_LIKE = /^\+?[\d\s().-]*$/;

/**
 * Masks a phone number for logs: only the last 4 digits stay, e.g. `+15555550100` → `+*******0100`.
 * Numbers of 4 digits or fewer are masked entirely; values that do not look like a phone number
 * (an encrypted blob, garbage) become `***`. Never throws.
 */
export function maskPhone(phone: string | null | undefined): string {
  if (typeof phone !== 'string' || phone.trim() === '') return '';
  const trimmed = phone.trim();
  if (!PHONE_LIKE.test(trimmed)) return '***';
  const prefix = trimmed.startsWith('+') ? '+' : '';
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length <= 4) return `${prefix}${'*'.repeat(Math.max(digits.length, 3))}`;
  return `${prefix}${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}
