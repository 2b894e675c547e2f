import type { VitePWAOptions } from 'vite-plugin-pwa';

/**
 * Paths the service worker leaves to the network, always: the socket, the
 * test controls, health and metrics, the site-data wipe, the session cookie's
 * route, and any API answer.
 * Navigations to them never get the cached shell, and nothing under them is
 * precached or cached at run time (there is no runtime caching at all).
 */
export const NETWORK_ONLY_PATHS: RegExp[] = [/^\/ws(?:\/|$)/, /^\/__test__\//, /^\/healthz/, /^\/metrics/, /^\/clear-site-data/, /^\/session\//, /^\/api\//];

/** The name of the service worker script; `src/offline` registers it through `virtual:pwa-register`. */
export const SERVICE_WORKER_FILE = 'sw.js';

/**
 * vite-plugin-pwa (Workbox generateSW) options: precache the app shell (HTML,
 * the built scripts and styles, icons, manifest) and nothing else, serve
 * index.html for navigations when offline, and let the page decide when a
 * new version takes over (registerType 'prompt': the waiting worker skips
 * waiting when `src/offline` asks, then the page reloads once).
 *
 * `injectRegister: null`: the server's CSP forbids inline scripts, so the
 * registration is bundled code in src/offline, never an injected snippet.
 */
export const pwaOptions: Partial<VitePWAOptions> = {
  strategies: 'generateSW',
  registerType: 'prompt',
  injectRegister: null,
  filename: SERVICE_WORKER_FILE,
  manifestFilename: 'manifest.webmanifest',
  manifest: {
    id: '/',
    name: 'Tidings',
    short_name: 'Tidings',
    description: 'Messaging that keeps working offline.',
    lang: 'en',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#f5f6f8',
    theme_color: '#f5f6f8',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{html,js,css,svg,png,ico,webmanifest}'],
    // Source maps are not part of the shell (globPatterns already takes public/ icons).
    globIgnores: ['**/*.map', '**/node_modules/**'],
    navigateFallback: '/index.html',
    navigateFallbackDenylist: NETWORK_ONLY_PATHS,
    cleanupOutdatedCaches: true,
    clientsClaim: true,
    skipWaiting: false,
    runtimeCaching: [],
    sourcemap: false,
    // One file: no extra workbox-<hash>.js for importScripts to fetch.
    inlineWorkboxRuntime: true,
  },
  devOptions: { enabled: false },
};
