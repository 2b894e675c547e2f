/**
 * Median, p95, min and max of a handful of samples (tens, not millions: the
 * HDR histograms of bench/lib/latency.ts are for the load scenarios), by the
 * nearest-rank method, rounded to 0.1.
 */
export interface SampleSummary {
  count: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function describeSamples(samples: number[]): SampleSummary {
  if (samples.length === 0) return { count: 0, median: 0, p95: 0, min: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const r = (v: number): number => Math.round(v * 10) / 10;
  return { count: sorted.length, median: r(rank(50)), p95: r(rank(95)), min: r(sorted[0]!), max: r(sorted[sorted.length - 1]!) };
}
