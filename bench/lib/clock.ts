/**
 * One clock for every generator process. Latencies cross process boundaries
 * (a send is scheduled in one worker and arrives in another), so every process
 * reads the same epoch-based, sub-millisecond time.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
