import type { Dispatch } from '../dispatch/dispatch';
import type { PreferenceRecord } from '../store/records';
import type { DraftSyncStore } from './draft-tab-sync';
import type { CrossTabChannel } from './cross-tab-channel';

export interface PreferenceTabSyncOptions {
  dispatch: Dispatch;
  store: DraftSyncStore;
  channel: CrossTabChannel;
}

/**
 * Makes a trusted session's choices (notifications on or off, muted
 * conversations) follow the person across their tabs: every preference this
 * tab's store saves or drops is told to the other tabs, which apply it to
 * their stores, so a conversation muted in one tab stops counting and
 * notifying in all of them at once. A choice told late loses to a newer one
 * (`updatedAt`). A public-computer session keeps its choices in its own
 * tab's memory: nothing is told or taken. Returns a function that stops it.
 */
export function syncPreferencesAcrossTabs({ dispatch, store, channel }: PreferenceTabSyncOptions): () => void {
  let applying = false;

  const stopLocal = dispatch.subscribe('store:change:preferences', ({ preferences: ids }) => {
    const userId = store.currentUserId();
    if (applying || !store.isPersistent() || userId === null) return;
    const preferences = ids.map((id) => store.find('preferences', id)).filter((p): p is PreferenceRecord => p !== undefined);
    const removed = ids.filter((id) => store.find('preferences', id) === undefined);
    channel.post({ kind: 'preferences:changed', userId, preferences, removed });
  });

  const stopRemote = channel.subscribe((message) => {
    if (message.kind !== 'preferences:changed') return;
    if (!store.isPersistent() || store.currentUserId() !== message.userId) return;
    const newer = message.preferences.filter((p) => (store.find('preferences', p.id)?.updatedAt ?? -Infinity) <= p.updatedAt);
    applying = true;
    try {
      if (newer.length) store.addItems('preferences', Object.fromEntries(newer.map((p) => [p.id, p])));
      if (message.removed.length) store.removeItems('preferences', message.removed);
    } finally {
      applying = false;
    }
  });

  return () => {
    stopLocal();
    stopRemote();
  };
}
