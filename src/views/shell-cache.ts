/**
 * The service worker that caches the app shell for offline starts. On a
 * public computer nothing may stay behind, so it is removed with its caches.
 */
export async function updateShellCache(publicComputer: boolean): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  try {
    if (!publicComputer) {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      return;
    }
    const registrations = await navigator.serviceWorker.getRegistrations();
    await Promise.all(registrations.map((r) => r.unregister()));
    if ('caches' in window) await Promise.all((await caches.keys()).map((key) => caches.delete(key)));
  } catch {
    // A browser that refuses service workers (private mode, file://) still runs the app online.
  }
}
