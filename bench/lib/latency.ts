import * as hdr from 'hdr-histogram-js';

/**
 * Latency histograms in microseconds. Workers record into their own and ship
 * them to the coordinator compressed; the coordinator merges them, so the
 * percentiles are exact over every sample of every process.
 */
export type Histogram = hdr.Histogram;

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function createHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

/** Records a latency given in milliseconds; values past the range clamp to it rather than throw. */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.max(1, Math.min(120_000_000, Math.round(ms * 1000)));
  histogram.recordValue(us);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function mergeEncoded(into: Histogram, encoded: string): void {
  if (!encoded) return;
  into.add(hdr.decodeFromCompressedBase64(encoded));
}

/** Percentiles in milliseconds, rounded to microseconds. */
export function summarize(histogram: Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (histogram.totalCount === 0) return { count: 0, p50: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: histogram.totalCount,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
  };
}
