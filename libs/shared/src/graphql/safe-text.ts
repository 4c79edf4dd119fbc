/** Replaces every phone-number-like run of 7+ digits (optionally +, spaces, dashes) by `***` + its last 4 digits. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, (match) => {
    const digits = match.replace(/\D/g, '');
    return digits.length >= 7 ? `***${digits.slice(-4)}` : match;
  });
}
