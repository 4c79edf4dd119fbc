// The soak's verdict on a series of samples: does it climb steadily? The first quarter (warm-up:
// caches fill, V8 optimizes) is left out; on the rest, a series climbs when BOTH its least-squares
// slope exceeds `slopePerMinute` AND the median of its last quarter exceeds the median of its first
// quarter by more than `rise`. A real leak meets both; noise (a GC cycle, one slow sample) meets at
// most one.

export interface Sample {
  /** Minutes since the run started. */
  atMinutes: number;
  value: number;
}

export interface TrendRule {
  slopePerMinute: number;
  rise: number;
}

export interface TrendVerdict {
  climbing: boolean;
  slopePerMinute: number;
  rise: number;
}

export function trendOf(samples: readonly Sample[], rule: TrendRule): TrendVerdict {
  const steady = samples.slice(Math.floor(samples.length / 4));
  if (steady.length < 4) throw new Error(`too few samples to judge a trend (${samples.length})`);
  const slopePerMinute = leastSquaresSlope(steady);
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const rise = median(steady.slice(-quarter).map((s) => s.value)) - median(steady.slice(0, quarter).map((s) => s.value));
  return { climbing: slopePerMinute > rule.slopePerMinute && rise > rule.rise, slopePerMinute, rise };
}

function leastSquaresSlope(samples: readonly Sample[]): number {
  const n = samples.length;
  const meanX = samples.reduce((a, s) => a + s.atMinutes, 0) / n;
  const meanY = samples.reduce((a, s) => a + s.value, 0) / n;
  const covariance = samples.reduce((a, s) => a + (s.atMinutes - meanX) * (s.value - meanY), 0);
  const variance = samples.reduce((a, s) => a + (s.atMinutes - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
