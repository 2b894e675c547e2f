import { vi } from 'vitest';
import { FakeWebSocket, FakeWebSocketImpl } from '../../communicator/testing/fake-web-socket';
import { createClientCore, type ClientCore, type ClientCoreOptions } from '../../core/create-client-core';
import { MemoryBackend } from '../../store/key-value-backend';
import type { StoreBackends } from '../../store/store';
import { RecordingBackend } from '../../store/testing/recording-backend';

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
    installBackboneSync: false,
    random: () => 0,
    receiptDebounceMs: 10,
    flushDelayMs: 5,
    ...overrides,
  });
}

export async function settle(ms = 50): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

export function sentBy(name: string): Record<string, unknown>[] {
  return FakeWebSocket.instances.flatMap((s) => s.sentNamed(name));
}
