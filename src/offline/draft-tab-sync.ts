import type { Dispatch } from '../dispatch/dispatch';
import type { DraftRecord } from '../store/records';
import type { Store } from '../store/store';
import type { CrossTabChannel } from './cross-tab-channel';

export type DraftSyncStore = Pick<Store, 'isPersistent' | 'currentUserId' | 'find' | 'addItems' | 'removeItems'>;

export interface DraftTabSyncOptions {
  dispatch: Dispatch;
  store: DraftSyncStore;
  channel: CrossTabChannel;
  /** Saves within this window go to the other tabs as one message (the composer saves as the person types). */
  batchMs?: number;
}

/**
 * Makes a trusted session's drafts follow the person across their tabs:
 * every draft this tab's store saves or drops (store:change:drafts) is told
 * to the other tabs, which apply it to their stores, so their draft
 * collections (and the composers showing them) change in place, and each
 * tab's whole-set write to disk holds the others' drafts too. A draft told
 * late loses to a newer one (`updatedAt`). A public-computer session keeps
 * its drafts in its own tab's memory: nothing is told or taken. Returns a
 * function that stops it.
 */
export function syncDraftsAcrossTabs({ dispatch, store, channel, batchMs = 25 }: DraftTabSyncOptions): () => void {
  let applying = false;
  let changed = new Map<string, DraftRecord | null>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const tell = (): void => {
    timer = null;
    const userId = store.currentUserId();
    const drafts = [...changed.values()].filter((d): d is DraftRecord => d !== null);
    const removed = [...changed].filter(([, d]) => d === null).map(([id]) => id);
    changed = new Map();
    if (!store.isPersistent() || userId === null || (drafts.length === 0 && removed.length === 0)) return;
    channel.post({ kind: 'drafts:changed', userId, drafts, removed });
  };

  const stopLocal = dispatch.subscribe('store:change:drafts', ({ drafts: ids }) => {
    if (applying || !store.isPersistent()) return;
    for (const id of ids) changed.set(id, store.find('drafts', id) ?? null);
    if (changed.size > 0 && timer === null) timer = setTimeout(tell, batchMs);
  });

  const stopRemote = channel.subscribe((message) => {
    if (message.kind !== 'drafts:changed') return;
    if (!store.isPersistent() || store.currentUserId() !== message.userId) return;
    const newer = message.drafts.filter((d) => (store.find('drafts', d.id)?.updatedAt ?? -Infinity) <= d.updatedAt);
    applying = true;
    try {
      if (newer.length) store.addItems('drafts', Object.fromEntries(newer.map((d) => [d.id, d])));
      if (message.removed.length) store.removeItems('drafts', message.removed);
    } finally {
      applying = false;
    }
  });

  return () => {
    stopLocal();
    stopRemote();
    if (timer !== null) {
      clearTimeout(timer);
      tell();
    }
  };
}
