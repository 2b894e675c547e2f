/**
 * Seeded randomness for the fault suites: every run prints its seed, and the
 * same seed replays the same cuts, stalls and frames.
 */
export type Random = () => number;

/** mulberry32: small, fast, good enough to schedule faults. Returns [0, 1). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed, unless one was given (CLI `--seed`, or env RELIABILITY_SEED). */
export function pickSeed(given?: number): number {
  if (given !== undefined && Number.isFinite(given)) return given >>> 0;
  const fromEnv = Number(process.env['RELIABILITY_SEED']);
  if (process.env['RELIABILITY_SEED'] && Number.isFinite(fromEnv)) return fromEnv >>> 0;
  return (Math.random() * 2 ** 32) >>> 0;
}

/** An integer in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
