import { CliUsageError } from '../cli.errors.js';
import { parseSince } from './stripe-reconciler.js';

describe('parseSince', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');

  it.each([
    ['1767225600', 1767225600],
    ['2026-01-01T00:00:00Z', 1767225600],
    ['2026-01-01T01:00:00+01:00', 1767225600],
    ['48h', now / 1000 - 48 * 3600],
    ['7d', now / 1000 - 7 * 86400],
    ['90m', now / 1000 - 90 * 60],
  ])('reads %s', (text, seconds) => {
    expect(parseSince(text, now)).toBe(seconds);
  });

  it.each([undefined, '', 'yesterday', '12x'])('refuses %j', (text) => {
    expect(() => parseSince(text, now)).toThrow(CliUsageError);
  });
});
