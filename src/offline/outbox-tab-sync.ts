import type { Dispatch } from '../dispatch/dispatch';
import type { OutboxEntry, StoredEntry } from '../store/records';
import type { Store } from '../store/store';
import type { CrossTabChannel } from './cross-tab-channel';

export type OutboxSyncStore = Pick<Store, 'isPersistent' | 'currentUserId' | 'find' | 'addItems' | 'removeItems' | 'addEntries' | 'messagesOf'>;

export interface OutboxTabSyncOptions {
  dispatch: Dispatch;
  store: OutboxSyncStore;
  channel: CrossTabChannel;
  /** Changes within this window go to the other tabs as one message (a burst of sends, a flush). */
  batchMs?: number;
}

/**
 * Mirrors every change to a trusted session's outbox into the other tabs'
 * stores, at once and with the records themselves (no disk round trip): a
 * follower tab's fresh send reaches the leader tab, which alone sends it
 * (OutboxController); the leader's acknowledgement (with the stored entry,
 * so the echo turns into it in place, and the message a change applied to) and failures reach the followers, so
 * every tab shows the same state and a tab taking over never resends what was
 * acknowledged. A public-computer session's outbox is the tab's own: nothing
 * is told or taken. Returns a function that stops it.
 */
export function syncOutboxAcrossTabs({ dispatch, store, channel, batchMs = 25 }: OutboxTabSyncOptions): () => void {
  /** While applying another tab's change: it is not told back. */
  let applying = false;
  /** The conversation of each entry seen, to find its acknowledged message once the entry is gone. */
  const conversationOf = new Map<string, string>();
  /** Changes not told yet: the latest state per id (null: removed), and what removed ids became. */
  let changed = new Map<string, OutboxEntry | null>();
  let acknowledged = new Map<string, StoredEntry[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  // One BroadcastChannel message per burst rather than one per change: a burst (typing fast,
  // a flush) would otherwise post hundreds of structured clones. Typing 200 messages offline
  // took 87 s with one post per change against 18 s without the mirror, on a loaded machine
  // where the figures swing widely (docs/OFFLINE.md), so the cost was not settled; batching is cheap.
  const tell = (): void => {
    timer = null;
    const userId = store.currentUserId();
    const entries = [...changed.values()].filter((entry): entry is OutboxEntry => entry !== null);
    const removed = [...changed].filter(([, entry]) => entry === null).map(([id]) => id);
    const messages = removed.flatMap((id) => acknowledged.get(id) ?? []);
    changed = new Map();
    acknowledged = new Map();
    if (!store.isPersistent() || userId === null || (entries.length === 0 && removed.length === 0)) return;
    channel.post({ kind: 'outbox:changed', userId, entries, removed, acknowledged: messages });
  };

  const stopLocal = dispatch.subscribe('store:change:outbox', ({ outbox: ids }) => {
    const record = !applying && store.isPersistent();
    for (const id of ids) {
      const entry = store.find('outbox', id);
      if (entry) {
        conversationOf.set(id, entry.conversationId);
        if (record) changed.set(id, entry);
        continue;
      }
      if (record) {
        changed.set(id, null);
        const entries = acknowledgedEntries(store, id, conversationOf.get(id));
        if (entries.length) acknowledged.set(id, entries);
      }
      conversationOf.delete(id);
    }
    if (record && changed.size > 0 && timer === null) timer = setTimeout(tell, batchMs);
  });

  const stopRemote = channel.subscribe((message) => {
    if (message.kind !== 'outbox:changed') return;
    if (!store.isPersistent() || store.currentUserId() !== message.userId) return;
    applying = true;
    try {
      // The entries first: the echoes become them in place before their outbox entries go.
      store.addEntries(message.acknowledged);
      if (message.entries.length) store.addItems('outbox', Object.fromEntries(message.entries.map((entry) => [entry.id, entry])));
      if (message.removed.length) store.removeItems('outbox', message.removed);
    } finally {
      applying = false;
    }
  });

  return () => {
    stopLocal();
    stopRemote();
    // What is still to tell goes now: the tab is closing or logging out.
    if (timer !== null) {
      clearTimeout(timer);
      tell();
    }
  };
}

/**
 * What an outbox entry became, if the store holds it (newest first: it was
 * just added): the stored entry, and for an edit, deletion or reaction the
 * message as it is now, so the other tabs apply the change too.
 */
function acknowledgedEntries(store: OutboxSyncStore, clientMessageId: string, conversationId: string | undefined): StoredEntry[] {
  if (conversationId === undefined) return [];
  const self = store.find('session', 'current')?.user.id;
  const entries = store.messagesOf(conversationId);
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (entry.clientMessageId !== clientMessageId || entry.senderId !== self) continue;
    if (entry.kind !== 'edit' && entry.kind !== 'delete' && entry.kind !== 'reaction') return [entry];
    const target = store.find('messages', entry.targetId);
    return target ? [entry, target] : [entry];
  }
  return [];
}
