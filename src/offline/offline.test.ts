import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDispatch } from '../dispatch/dispatch';
import { CrossTabChannel, type ChannelLike } from './cross-tab-channel';
import { encodePng, renderIconPng } from './icon-renderer';
import { IdleTimer } from './idle-timer';
import { installOffline, type OfflineCore } from './install-offline';
import { OutboxLeadership } from './outbox-leadership';
import { NETWORK_ONLY_PATHS, pwaOptions } from './pwa-config';
import { ServiceWorkerLifecycle, type RegisterSW } from './service-worker-lifecycle';
import { UpdatePrompt } from './update-prompt';
import { wipeEverything } from './wipe-everything';
import { channelHub, fakeLocks } from './testing/fake-tabs';

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe('pwa config', () => {
  it('keeps the socket, test controls, health, metrics and site-data wipe away from the cached shell', () => {
    for (const path of ['/ws', '/__test__/drop', '/healthz', '/metrics', '/clear-site-data']) {
      expect(NETWORK_ONLY_PATHS.some((re) => re.test(path)), path).toBe(true);
    }
    for (const path of ['/', '/index.html', '/conversations/c1', '/wsx']) {
      expect(NETWORK_ONLY_PATHS.some((re) => re.test(path)), path).toBe(false);
    }
    expect(pwaOptions.injectRegister).toBeNull();
    expect(pwaOptions.workbox?.runtimeCaching).toEqual([]);
    expect(pwaOptions.workbox?.navigateFallback).toBe('/index.html');
  });
});

describe('icons', () => {
  it('renders a PNG of the requested size', () => {
    const png = renderIconPng({ size: 48 });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(48);
    expect(png.readUInt32BE(20)).toBe(48);
    expect(encodePng(1, 1, Buffer.from([1, 2, 3, 4])).length).toBeGreaterThan(40);
  });
});

/** A Cache Storage holding `names`; deletions are recorded in `deleted`. */
function fakeCaches(names: string[], deleted: string[] = []): CacheStorage {
  const held = new Set(names);
  return {
    keys: async () => [...held],
    delete: async (name: string) => {
      deleted.push(name);
      return held.delete(name);
    },
  } as unknown as CacheStorage;
}

describe('wipeEverything', () => {
  it('removes local and session storage, every IndexedDB database, caches, workers and cookies, then asks the server', async () => {
    localStorage.setItem('tidings:session', '{}');
    sessionStorage.setItem('x', '1');
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open('tidings');
      request.onupgradeneeded = () => request.result.createObjectStore('kv');
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    const deletedCaches: string[] = [];
    const unregister = vi.fn(async () => true);
    const fetched: string[] = [];
    const report = await wipeEverything({
      localStorage,
      sessionStorage,
      indexedDB,
      caches: fakeCaches(['workbox-precache-v2'], deletedCaches),
      serviceWorker: { getRegistrations: async () => [{ unregister }] } as unknown as ServiceWorkerContainer,
      doc: null,
      fetch: (async (url: string, init?: RequestInit) => (fetched.push(`${init?.method} ${url}`), new Response(null, { status: 204 }))) as typeof fetch,
    });
    expect(report.failures).toEqual([]);
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect((await indexedDB.databases()).map((d) => d.name)).toEqual([]);
    expect(report.databases).toEqual(['tidings']);
    expect(deletedCaches).toEqual(['workbox-precache-v2']);
    expect(unregister).toHaveBeenCalledOnce();
    // POST: the server refuses any other method (a link or another site's form would be a GET).
    expect(fetched).toEqual(['POST /clear-site-data']);
    expect(report.clearSiteData).toBe(true);
  });

  it('goes on with the other steps when one fails (offline: no clear-site-data)', async () => {
    localStorage.setItem('k', 'v');
    const report = await wipeEverything({
      localStorage,
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
      caches: fakeCaches(['a']),
    });
    expect(localStorage.length).toBe(0);
    expect(report.caches).toEqual(['a']);
    expect(report.failures).toEqual(['clear-site-data: Failed to fetch']);
  });
});

describe('IdleTimer', () => {
  it('fires after the timeout without activity, and activity pushes it back', () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const timer = new IdleTimer({ timeoutMs: 60_000, onIdle, checkEveryMs: 1000 });
    timer.start();
    vi.advanceTimersByTime(50_000);
    window.dispatchEvent(new KeyboardEvent('keydown'));
    vi.advanceTimersByTime(50_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(11_000);
    expect(onIdle).toHaveBeenCalledOnce();
    expect(timer.isRunning()).toBe(false);
  });

  it('stops listening when stopped', () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const timer = new IdleTimer({ timeoutMs: 1000, onIdle, checkEveryMs: 100 });
    timer.start();
    timer.stop();
    vi.advanceTimersByTime(5000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});

describe('CrossTabChannel', () => {
  it('delivers to the other tabs, never back to the sender', () => {
    const create = channelHub();
    const a = new CrossTabChannel({ create });
    const b = new CrossTabChannel({ create });
    const heardByA = vi.fn();
    const heardByB = vi.fn();
    a.subscribe(heardByA);
    b.subscribe(heardByB);
    a.post({ kind: 'session:ended', reason: 'logout' });
    expect(heardByB).toHaveBeenCalledWith({ kind: 'session:ended', reason: 'logout' });
    expect(heardByA).not.toHaveBeenCalled();
  });

  it('ignores foreign messages and works without BroadcastChannel', () => {
    const create = channelHub();
    const a = new CrossTabChannel({ create });
    const heard = vi.fn();
    a.subscribe(heard);
    create('tidings').postMessage({ hello: 'world' });
    expect(heard).not.toHaveBeenCalled();
    const silent = new CrossTabChannel({ create: null });
    expect(() => silent.post({ kind: 'session:ready', userId: 'u1' })).not.toThrow();
  });
});

describe('OutboxLeadership', () => {
  it('lets one tab lead at a time and hands over when the leader lets go', async () => {
    const locks = fakeLocks();
    const first = new OutboxLeadership(locks);
    const second = new OutboxLeadership(locks);
    await first.acquire();
    let secondLeads = false;
    void second.acquire().then(() => (secondLeads = true));
    await Promise.resolve();
    expect(first.isLeader()).toBe(true);
    expect(secondLeads).toBe(false);
    first.release();
    await vi.waitFor(() => expect(secondLeads).toBe(true));
    expect(first.isLeader()).toBe(false);
  });

  it('a tab that stops waiting (logout) before it leads never takes the lock', async () => {
    const locks = fakeLocks();
    const first = new OutboxLeadership(locks);
    const second = new OutboxLeadership(locks);
    const third = new OutboxLeadership(locks);
    await first.acquire();
    void second.acquire();
    void third.acquire();
    second.release();
    first.release();
    await vi.waitFor(() => expect(third.isLeader()).toBe(true));
    expect(second.isLeader()).toBe(false);
  });

  it('leads alone where Web Locks are missing', async () => {
    const alone = new OutboxLeadership(null);
    await alone.acquire();
    expect(alone.isLeader()).toBe(true);
  });
});

describe('ServiceWorkerLifecycle', () => {
  function fakeRegister() {
    const calls: Parameters<RegisterSW>[0][] = [];
    const applied = vi.fn(async () => undefined);
    const register: RegisterSW = (options) => {
      calls.push(options);
      return applied;
    };
    return { register, calls, applied };
  }

  it('registers at once and shows a Reload prompt when a new version waits', async () => {
    const { register, calls, applied } = fakeRegister();
    const container = new EventTarget();
    const reload = vi.fn();
    const lifecycle = new ServiceWorkerLifecycle({ register, container: container as ServiceWorkerContainer, reload });
    lifecycle.start();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.immediate).toBe(true);
    calls[0]!.onNeedRefresh!();
    const button = document.querySelector<HTMLButtonElement>('.update-prompt button');
    expect(button?.textContent).toBe('Reload');
    button!.click();
    await Promise.resolve();
    expect(applied).toHaveBeenCalledWith(true);
    expect(document.querySelector('.update-prompt')).toBeNull();
    // The new worker takes control: the page reloads once onto the new shell.
    container.dispatchEvent(new Event('controllerchange'));
    container.dispatchEvent(new Event('controllerchange'));
    expect(reload).toHaveBeenCalledOnce();
  });

  it('registers again after a logout removed the worker', () => {
    const { register, calls } = fakeRegister();
    const lifecycle = new ServiceWorkerLifecycle({ register, container: null });
    lifecycle.start();
    lifecycle.start();
    expect(calls).toHaveLength(1);
    lifecycle.forget();
    lifecycle.start();
    expect(calls).toHaveLength(2);
  });
});

describe('UpdatePrompt', () => {
  it('can be dismissed with Later', () => {
    const prompt = new UpdatePrompt();
    prompt.show(() => undefined);
    document.querySelector<HTMLButtonElement>('.update-prompt-later')!.click();
    expect(prompt.isShown()).toBe(false);
  });
});

describe('installOffline', () => {
  function fakeCore(options: { publicComputer?: boolean } = {}) {
    const dispatch = createDispatch();
    let user: { id: string } | null = { id: 'u1' };
    const core = {
      dispatch,
      session: {
        currentUser: () => user as never,
        isPublicComputer: () => options.publicComputer ?? false,
        logout: vi.fn(async (reason: string = 'logout') => {
          user = null;
          dispatch.trigger('session:ended', { reason });
        }),
      },
      outbox: { pendingCount: () => 0 },
      store: { load: vi.fn(async () => undefined), isPersistent: () => !(options.publicComputer ?? false), currentUserId: () => user?.id ?? null },
    };
    return core as typeof core & OfflineCore;
  }

  it('wipes the device and tells the other tabs on logout; the other tab logs out too', async () => {
    const create = channelHub();
    const tabA = fakeCore();
    const tabB = fakeCore();
    const wipeA = vi.fn(async () => ({ failures: [] }) as never);
    const wipeB = vi.fn(async () => ({ failures: [] }) as never);
    const stopA = installOffline({ core: tabA, serviceWorker: null, channel: new CrossTabChannel({ create }), wipe: wipeA, reload: vi.fn() });
    const stopB = installOffline({ core: tabB, serviceWorker: null, channel: new CrossTabChannel({ create }), wipe: wipeB, reload: vi.fn() });
    await tabA.session.logout();
    expect(wipeA).toHaveBeenCalledOnce();
    expect(tabB.session.logout).toHaveBeenCalledWith('revoked');
    expect(wipeB).toHaveBeenCalledOnce();
    stopA();
    stopB();
  });

  it('keeps the data when a trusted token merely expired', () => {
    const core = fakeCore();
    const wipe = vi.fn(async () => ({ failures: [] }) as never);
    const stop = installOffline({ core, serviceWorker: null, channel: new CrossTabChannel({ create: null }), wipe, reload: vi.fn() });
    core.dispatch.trigger('session:ended', { reason: 'expired' });
    expect(wipe).not.toHaveBeenCalled();
    stop();
  });

  it('logs a public-computer session out after the idle time', () => {
    vi.useFakeTimers();
    const core = fakeCore({ publicComputer: true });
    const stop = installOffline({ core, serviceWorker: null, channel: new CrossTabChannel({ create: null }), wipe: vi.fn(async () => ({ failures: [] }) as never), reload: vi.fn(), idleMs: 60_000 });
    core.dispatch.trigger('session:ready', { user: { id: 'u1', username: 'a', displayName: 'A' }, publicComputer: true });
    vi.advanceTimersByTime(61_000);
    expect(core.session.logout).toHaveBeenCalledWith('idle');
    stop();
  });

  it('reloads a public session restored from the back/forward cache', () => {
    const core = fakeCore({ publicComputer: true });
    const reload = vi.fn();
    const stop = installOffline({ core, serviceWorker: null, channel: new CrossTabChannel({ create: null }), wipe: vi.fn(), reload });
    const event = new Event('pageshow') as Event & { persisted: boolean };
    Object.defineProperty(event, 'persisted', { value: true });
    window.dispatchEvent(event);
    expect(reload).toHaveBeenCalledOnce();
    stop();
  });
});
