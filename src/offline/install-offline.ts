import type { Dispatch } from '../dispatch/dispatch';
import type { LoginActions, OutboxActions, SessionEndReason } from '../core/client-core-api';
import { guardBackForwardCache } from './bfcache-guard';
import { CrossTabChannel } from './cross-tab-channel';
import { IdleTimer } from './idle-timer';
import type { ServiceWorkerLifecycle } from './service-worker-lifecycle';
import { wipeEverything, type WipeReport } from './wipe-everything';

/** A public-computer session ends after this long without the person touching the page (PROTOCOL.md). */
export const PUBLIC_IDLE_MS = 30 * 60_000;

/** The parts of the client core the offline layer uses: the bus, the session and the store. */
export interface OfflineCore {
  dispatch: Dispatch;
  session: Pick<LoginActions, 'logout' | 'currentUser' | 'isPublicComputer'>;
  outbox: Pick<OutboxActions, 'pendingCount'>;
  store: { load(): Promise<void>; isPersistent(): boolean; currentUserId(): string | null };
}

export interface OfflineOptions {
  core: OfflineCore;
  serviceWorker: ServiceWorkerLifecycle | null;
  channel?: CrossTabChannel;
  wipe?: () => Promise<WipeReport>;
  idleMs?: number;
  reload?: () => void;
  /** Another tab's writes are re-read after this quiet period. */
  remoteChangeDelayMs?: number;
}

/** Session end reasons after which nothing of the person may stay on the device. */
const WIPING_REASONS: ReadonlySet<SessionEndReason> = new Set(['logout', 'revoked', 'idle']);

/**
 * Wires the offline layer to the client core: the app-shell service worker,
 * the cross-tab channel (another tab's offline sends show here; a logout in
 * one tab logs out all), the public-computer idle timeout, the bfcache guard,
 * and the full device wipe after logout. Returns a function that undoes it.
 */
export function installOffline(options: OfflineOptions): () => void {
  const { core } = options;
  const channel = options.channel ?? new CrossTabChannel();
  const wipe = options.wipe ?? (() => wipeEverything());
  const reload = options.reload ?? (() => location.reload());
  const idle = new IdleTimer({ timeoutMs: options.idleMs ?? PUBLIC_IDLE_MS, onIdle: () => void core.session.logout('idle') });
  const stops: (() => void)[] = [];
  let remoteTimer: ReturnType<typeof setTimeout> | null = null;
  let announceTimer: ReturnType<typeof setTimeout> | null = null;
  let online = false;

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
    core.dispatch.subscribe('connection:state', ({ state }) => {
      online = state === 'online';
    }),
    // A message written here while offline reaches the other tabs through the
    // shared storage; tell them once the store has written it. Online, the
    // server's notifications keep the tabs in step without re-reading.
    core.dispatch.subscribe('message:written', () => {
      if (online || !core.store.isPersistent()) return;
      if (announceTimer !== null) clearTimeout(announceTimer);
      announceTimer = setTimeout(() => {
        announceTimer = null;
        const userId = core.store.currentUserId();
        if (userId) channel.post({ kind: 'store:changed', schemas: ['outbox'], userId });
      }, options.remoteChangeDelayMs ?? 150);
    }),
    channel.subscribe((message) => {
      if (message.kind === 'session:ended') {
        if (core.session.currentUser()) void core.session.logout('revoked');
        return;
      }
      if (message.kind === 'store:changed') {
        if (!core.store.isPersistent() || core.store.currentUserId() !== message.userId) return;
        if (remoteTimer !== null) clearTimeout(remoteTimer);
        remoteTimer = setTimeout(() => {
          remoteTimer = null;
          // load() adds what this tab does not hold yet and keeps what it does.
          void core.store.load().catch((error: unknown) => console.warn('could not read the other tab\'s changes', error));
        }, options.remoteChangeDelayMs ?? 150);
      }
    }),
    guardBackForwardCache({ isPublicSession: () => core.session.isPublicComputer() && core.session.currentUser() !== null, reload }),
  );

  return () => {
    for (const stop of stops.splice(0)) stop();
    if (remoteTimer !== null) clearTimeout(remoteTimer);
    if (announceTimer !== null) clearTimeout(announceTimer);
    idle.stop();
    channel.close();
  };
}
