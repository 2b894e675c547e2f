import { pino, type Logger } from 'pino';

/** One pino logger per server, so two servers in one test process log (or stay silent) independently. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'tidings' } });
}

export type { Logger };
