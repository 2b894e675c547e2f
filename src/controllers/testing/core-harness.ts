import { vi } from 'vitest';
import { FakeWebSocket, FakeWebSocketImpl } from '../../communicator/testing/fake-web-socket';
import { createClientCore, type ClientCore, type ClientCoreOptions } from '../../core/create-client-core';
import { MemoryBackend } from '../../store/key-value-backend';
import type { StoreBackends } from '../../store/store';
import { RecordingBackend } from '../../store/testing/recording-backend';
import { FakeServer } from './fake-server';

/** Backends that keep data across cores like a real device would, in memory. */
export function deviceBackends(): StoreBackends {
  const local = new RecordingBackend();
  return { local, indexed: new RecordingBackend() };
}

export function memoryBackends(): StoreBackends {
  return { local: new MemoryBackend(), indexed: new MemoryBackend() };
}

/**
 * A client core on fake sockets and fake timers; `settle` lets queued frames
 * and short timers run. `overrides` replaces options (a tab's own socket
 * class, an outbox lock).
 */
export function buildCore(backends: StoreBackends = memoryBackends(), overrides: Partial<ClientCoreOptions> = {}): ClientCore {
  return createClientCore({
    url: 'ws://fake/ws',
    WebSocketImpl: FakeWebSocketImpl,
    storage: { backends },
    onlineEvents: null,
    visibility: null,
    random: () => 0,
    receiptDebounceMs: 10,
    flushDelayMs: 5,
    ...overrides,
  });
}

/**
 * The world most controller tests start from, for a beforeEach: fake timers,
 * no sockets left from the last test, and a fake server with alice (u1), bob
 * (u2) and their conversation c1. `endFakeWorld` in the afterEach undoes it.
 */
export function startFakeWorld(): FakeServer {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  FakeWebSocket.reset();
  const server = new FakeServer();
  server.addUser('u1', 'alice');
  server.addUser('u2', 'bob');
  server.addConversation('c1', ['u1', 'u2']);
  return server;
}

export function endFakeWorld(): void {
  vi.useRealTimers();
  FakeWebSocket.reset();
}

export async function settle(ms = 50): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

export function sentBy(name: string): Record<string, unknown>[] {
  return FakeWebSocket.instances.flatMap((s) => s.sentNamed(name));
}
