import { trendOf, type Sample } from './trend.js';

const series = (minutes: number, value: (m: number) => number): Sample[] =>
  Array.from({ length: minutes * 6 + 1 }, (_, i) => ({ atMinutes: i / 6, value: value(i / 6) }));
const RULE = { slopePerMinute: 0.25, rise: 2 };

describe('soak trend rule', () => {
  it('calls a steady climb a climb', () => {
    expect(
      trendOf(
        series(10, (m) => 40 + 0.5 * m),
        RULE,
      ),
    ).toMatchObject({ climbing: true });
  });

  it('does not call a flat series with GC saw-teeth a climb', () => {
    expect(
      trendOf(
        series(10, (m) => 40 + (Math.round(m * 6) % 3) * 0.8),
        RULE,
      ),
    ).toMatchObject({ climbing: false });
  });

  it('does not call warm-up growth that levels off a climb', () => {
    expect(
      trendOf(
        series(10, (m) => 40 + 8 * Math.min(m, 2)),
        RULE,
      ),
    ).toMatchObject({ climbing: false });
  });

  it('does not call a single late spike a climb (slope without a lasting rise)', () => {
    expect(
      trendOf(
        series(10, (m) => (m > 9.8 ? 60 : 40)),
        RULE,
      ),
    ).toMatchObject({ climbing: false });
  });

  it('refuses to judge too few samples', () => {
    expect(() =>
      trendOf(
        series(0, () => 1),
        RULE,
      ),
    ).toThrow(/too few samples/);
  });
});
