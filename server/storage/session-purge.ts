import type { Logger } from '../logger';
import { PURGE_BATCH_ROWS, type SessionLifetimes, type SessionsRepo } from './sessions-repo';

/** Batches one pass deletes at most; a larger backlog is left to the next pass. */
const MAX_BATCHES_PER_PASS = 50;

/**
 * Deletes expired sessions every `intervalMs`, in batches of
 * PURGE_BATCH_ROWS with a turn of the event loop between them, so the table
 * holds the sessions in use rather than one row per login ever made.
 * Returns the function that stops it.
 */
export function startSessionPurge(repo: SessionsRepo, lifetimes: SessionLifetimes, intervalMs: number, logger: Logger, now: () => number = Date.now): () => void {
  let stopped = false;
  let running = false;
  const pass = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_PASS && !stopped; batch++) {
        if (repo.purgeExpired(now(), lifetimes) < PURGE_BATCH_ROWS) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      // A full or failing disk: the sends report it; the next pass tries again.
      logger.warn({ err }, 'purging expired sessions failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void pass(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
