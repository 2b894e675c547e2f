import type { Dispatch } from '../dispatch/dispatch';
import type { LoginActions, OutboxActions, SessionEndReason } from '../core/client-core-api';
import { guardBackForwardCache } from './bfcache-guard';
import { CrossTabChannel } from './cross-tab-channel';
import { syncDraftsAcrossTabs } from './draft-tab-sync';
import { IdleTimer } from './idle-timer';
import { syncOutboxAcrossTabs, type OutboxSyncStore } from './outbox-tab-sync';
import type { ServiceWorkerLifecycle } from './service-worker-lifecycle';
import { wipeEverything, type WipeReport } from './wipe-everything';

/** A public-computer session ends after this long without the person touching the page (docs/PROTOCOL.md). */
export const PUBLIC_IDLE_MS = 30 * 60_000;

/** The parts of the client core the offline layer uses: the bus, the session and the store. */
export interface OfflineCore {
  dispatch: Dispatch;
  session: Pick<LoginActions, 'logout' | 'currentUser' | 'isPublicComputer'>;
  outbox: Pick<OutboxActions, 'pendingCount'>;
  store: OutboxSyncStore;
}

export interface OfflineOptions {
  core: OfflineCore;
  serviceWorker: ServiceWorkerLifecycle | null;
  channel?: CrossTabChannel;
  wipe?: () => Promise<WipeReport>;
  idleMs?: number;
  reload?: () => void;
}

/** Session end reasons after which nothing of the person may stay on the device. */
const WIPING_REASONS: ReadonlySet<SessionEndReason> = new Set(['logout', 'revoked', 'idle']);

/**
 * Wires the offline layer to the client core: the app-shell service worker,
 * the cross-tab channel (the outbox mirrored between tabs, so another tab's
 * changes show here and the outbox leader sends them; drafts that follow the
 * person from tab to tab; a logout in one tab logs out all), the public-computer idle timeout, the bfcache guard,
 * and the full device wipe after logout. Returns a function that undoes it.
 */
export function installOffline(options: OfflineOptions): () => void {
  const { core } = options;
  const channel = options.channel ?? new CrossTabChannel();
  const wipe = options.wipe ?? (() => wipeEverything());
  const reload = options.reload ?? (() => location.reload());
  const idle = new IdleTimer({ timeoutMs: options.idleMs ?? PUBLIC_IDLE_MS, onIdle: () => void core.session.logout('idle') });
  const stops: (() => void)[] = [];

  options.serviceWorker?.start();

  stops.push(
    core.dispatch.subscribe('session:ready', ({ user, publicComputer }) => {
      if (publicComputer) idle.start();
      else idle.stop();
      options.serviceWorker?.start();
      channel.post({ kind: 'session:ready', userId: user.id });
    }),
    core.dispatch.subscribe('session:ended', ({ reason }) => {
      idle.stop();
      if (!WIPING_REASONS.has(reason)) return;
      channel.post({ kind: 'session:ended', reason });
      options.serviceWorker?.forget();
      void wipe().then((report) => {
        if (report.failures.length) console.warn('logout wipe incomplete', report.failures);
      });
    }),
    syncOutboxAcrossTabs({ dispatch: core.dispatch, store: core.store, channel }),
    syncDraftsAcrossTabs({ dispatch: core.dispatch, store: core.store, channel }),
    channel.subscribe((message) => {
      if (message.kind === 'session:ended' && core.session.currentUser()) void core.session.logout('revoked');
    }),
    guardBackForwardCache({ isPublicSession: () => core.session.isPublicComputer() && core.session.currentUser() !== null, reload }),
  );

  return () => {
    for (const stop of stops.splice(0)) stop();
    idle.stop();
    channel.close();
  };
}
