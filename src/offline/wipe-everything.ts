/**
 * Logout's last step, in either mode: remove everything this origin keeps on
 * the device (localStorage, sessionStorage, every IndexedDB database, every
 * Cache Storage entry including the app-shell precache, service-worker
 * registrations, cookies), then ask the server for `Clear-Site-Data` as a
 * backstop. The origin is the app's alone, so all of it is ours to remove.
 * Each step is independent: one failing (offline, a blocked database) never
 * stops the others, and the report says what could not be removed.
 */
export interface WipeEnvironment {
  localStorage?: Storage | null;
  sessionStorage?: Storage | null;
  indexedDB?: IDBFactory | null;
  caches?: CacheStorage | null;
  serviceWorker?: ServiceWorkerContainer | null;
  doc?: Document | null;
  fetch?: typeof fetch | null;
  /** Same-origin URL answering with `Clear-Site-Data: "cache", "storage"`. */
  clearSiteDataUrl?: string;
  /** A database another tab keeps open cannot be deleted; give up waiting after this. */
  blockedTimeoutMs?: number;
}

export interface WipeReport {
  localStorageKeys: number;
  databases: string[];
  caches: string[];
  registrations: number;
  cookies: number;
  clearSiteData: boolean;
  failures: string[];
}

/** IndexedDB databases the app makes; used when the browser cannot list them. */
export const KNOWN_DATABASES = ['tidings', 'tidings-local', 'keyval-store', 'workbox-expiration'];

export async function wipeEverything(env: WipeEnvironment = browserEnvironment()): Promise<WipeReport> {
  const report: WipeReport = { localStorageKeys: 0, databases: [], caches: [], registrations: 0, cookies: 0, clearSiteData: false, failures: [] };
  const step = async (name: string, run: () => Promise<void> | void): Promise<void> => {
    try {
      await run();
    } catch (error) {
      report.failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await step('localStorage', () => {
    if (!env.localStorage) return;
    report.localStorageKeys = env.localStorage.length;
    env.localStorage.clear();
  });
  await step('sessionStorage', () => env.sessionStorage?.clear());
  await step('cookies', () => {
    if (!env.doc) return;
    report.cookies = expireCookies(env.doc);
  });
  await step('service workers', async () => {
    if (!env.serviceWorker) return;
    const registrations = await env.serviceWorker.getRegistrations();
    await Promise.all(registrations.map((r) => r.unregister()));
    report.registrations = registrations.length;
  });
  await step('caches', async () => {
    if (!env.caches) return;
    const keys = await env.caches.keys();
    await Promise.all(keys.map((key) => env.caches!.delete(key)));
    report.caches = keys;
  });
  await step('indexedDB', async () => {
    if (!env.indexedDB) return;
    const names = await databaseNames(env.indexedDB);
    const results = await Promise.all(names.map((name) => deleteDatabase(env.indexedDB!, name, env.blockedTimeoutMs ?? 3000)));
    report.databases = names.filter((_, i) => results[i] === 'deleted');
    const blocked = names.filter((_, i) => results[i] !== 'deleted');
    if (blocked.length) throw new Error(`could not delete ${blocked.join(', ')}`);
  });
  await step('clear-site-data', async () => {
    if (!env.fetch) return;
    // POST: the server wipes only for the app's own same-origin POST, never for a link or another site's form.
    const response = await env.fetch(env.clearSiteDataUrl ?? '/clear-site-data', { method: 'POST', cache: 'no-store', credentials: 'same-origin' });
    report.clearSiteData = response.ok;
  });
  // A write that was already under way when the wipe began (a store flush,
  // the still-controlling worker opening its cache) may have landed since:
  // sweep once more.
  await step('final sweep', async () => {
    env.localStorage?.clear();
    if (env.caches) for (const key of await env.caches.keys()) await env.caches.delete(key);
    if (env.indexedDB) await Promise.all((await databaseNames(env.indexedDB, false)).map((name) => deleteDatabase(env.indexedDB!, name, env.blockedTimeoutMs ?? 3000)));
  });
  return report;
}

export function browserEnvironment(): WipeEnvironment {
  const g = globalThis as Partial<typeof globalThis>;
  const safe = <T>(get: () => T): T | null => {
    try {
      return get() ?? null;
    } catch {
      return null; // a browser refusing storage access (privacy settings) throws on access
    }
  };
  return {
    localStorage: safe(() => g.localStorage as Storage),
    sessionStorage: safe(() => g.sessionStorage as Storage),
    indexedDB: safe(() => g.indexedDB as IDBFactory),
    caches: safe(() => g.caches as CacheStorage),
    serviceWorker: safe(() => (g.navigator && 'serviceWorker' in g.navigator ? g.navigator.serviceWorker : null)),
    doc: safe(() => g.document as Document),
    fetch: typeof g.fetch === 'function' ? g.fetch.bind(globalThis) : null,
  };
}

async function databaseNames(factory: IDBFactory, guessWhenUnlisted = true): Promise<string[]> {
  if (typeof factory.databases === 'function') {
    const listed = await factory.databases();
    const names = listed.map((d) => d.name).filter((n): n is string => Boolean(n));
    return [...new Set(names)];
  }
  return guessWhenUnlisted ? KNOWN_DATABASES : [];
}

function deleteDatabase(factory: IDBFactory, name: string, timeoutMs: number): Promise<'deleted' | 'blocked' | 'failed'> {
  return new Promise((resolve) => {
    const request = factory.deleteDatabase(name);
    // `blocked` is only a warning: the deletion still completes once the other
    // connections close (other tabs close theirs on `versionchange`).
    const timer = setTimeout(() => resolve('blocked'), timeoutMs);
    request.onsuccess = () => {
      clearTimeout(timer);
      resolve('deleted');
    };
    request.onerror = () => {
      clearTimeout(timer);
      resolve('failed');
    };
  });
}

function expireCookies(doc: Document): number {
  const names = doc.cookie.split(';').map((part) => part.split('=')[0]!.trim()).filter(Boolean);
  for (const name of names) doc.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  return names.length;
}
