import WebSocket from 'ws';
import { createClientCore, type ClientCore } from '../../src/core/create-client-core';
import type { Random } from './random';
import { signedInDevice } from './memory-device';
import type { SeededUser } from './world';

/**
 * The real client core (outbox, retries, catch-up), as
 * src/core/integration.test.ts builds it: the `ws` package as the
 * browser's WebSocket, memory storage, already signed in by token.
 */
export async function startCore(url: string, user: SeededUser, random: Random, extra: { sendsPerSecond?: number } = {}): Promise<ClientCore> {
  const core = createClientCore({
    url,
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    storage: { backends: signedInDevice({ id: user.id, username: user.username, displayName: user.username }, user.token) },
    onlineEvents: null,
    visibility: null,
    random,
    receiptDebounceMs: 50,
    flushDelayMs: 5,
    ...extra,
  });
  await core.start();
  return core;
}

/** Seqs of one conversation as the core holds them, ascending. */
export function seqsOf(core: ClientCore, conversationId: string): number[] {
  return core.store
    .messagesOf(conversationId)
    .map((m) => m.seq)
    .filter((s): s is number => typeof s === 'number')
    .sort((a, b) => a - b);
}
