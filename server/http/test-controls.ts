import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the mock-mode controls act on; provided by app.ts only when `mock` is on. */
export interface TestControls {
  /** Closes every socket (1012, service restart). */
  drop(): void;
  /** Ignores frames and refuses upgrades for `ms`. */
  pause(ms: number): void;
  /** Closes every socket and puts the data back to the seed. */
  reset(): Promise<void>;
  state(): object;
}

/**
 * /__test__/ routes for the e2e suites: POST drop, POST pause?ms=N (at most
 * 60 s), POST reset, GET state. They exist only in mock mode; elsewhere the
 * router answers 404 without reaching this file.
 */
export async function serveTestControl(req: IncomingMessage, res: ServerResponse, url: URL, controls: TestControls): Promise<void> {
  const name = url.pathname.slice('/__test__/'.length);
  const reply = (status: number, body: object | null): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(body ? JSON.stringify(body) : undefined);
  };
  if (req.method === 'GET' && name === 'state') return reply(200, controls.state());
  if (req.method !== 'POST') return reply(405, { error: 'use POST' });
  switch (name) {
    case 'drop':
      controls.drop();
      return reply(200, { dropped: true });
    case 'pause': {
      const ms = Number(url.searchParams.get('ms') ?? '0');
      if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) return reply(400, { error: 'ms must be 0-60000' });
      controls.pause(ms);
      return reply(200, { pausedMs: ms });
    }
    case 'reset':
      await controls.reset();
      return reply(200, { reset: true });
    default:
      return reply(404, { error: `no test control ${name}` });
  }
}
