import { readdirSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/**
 * Raw TCP clients for the HTTP abuse suite: requests cut short, never
 * finished, or whose answers are never read. Node's own HTTP client would
 * finish, pool and read them, which is exactly what an attacker does not do.
 */

/** Descriptors this process holds open right now (Linux). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Descriptors this process holds open on the file at `path` (Linux). */
export function fdsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves true once the peer closes `socket`, false if it is still open after `boundMs` (the caller's ceiling, not a timing claim). */
export function closedWithin(socket: Socket, boundMs: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), boundMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', done);
    socket.once('end', done);
    socket.once('error', done);
  });
}

/** Sends `request` and resolves with everything the server sent before closing (or `boundMs`). */
export function exchange(port: number, request: string, boundMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), boundMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => (chunks.length ? undefined : reject(err)));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(request);
  });
}

/** GETs `path` and, once the first bytes of the answer arrive, destroys the socket: a download the user cancelled. */
export async function abortedDownload(port: number, path: string): Promise<void> {
  const socket = await openSocket(port);
  await new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.once('close', () => resolve());
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
  socket.destroy();
}

/** GETs `path` and never reads the answer: the socket is paused, so the server's writes back up. */
export async function stalledDownload(port: number, path: string): Promise<Socket> {
  const socket = await openSocket(port);
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  return socket;
}

/** Polls `condition` until it holds or `boundMs` passes; resolves with whether it held. */
export async function eventually(condition: () => boolean, boundMs: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + boundMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The status code of a raw HTTP answer (0 when there was none). */
export function statusOf(answer: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return m ? Number(m[1]) : 0;
}
