/**
 * The app's entry point and the only place that builds concrete objects: the
 * client core (socket, store, controllers) for this origin, then the views.
 */
import { z } from 'zod';
import { SessionCookie } from './communicator/session-cookie';
import { createClientCore } from './core/create-client-core';
import { ThemePreference } from './core/theme-preference';
import { AppView } from './views/app-view';
import { applyTheme } from './views/theme';
import { CrossTabChannel } from './offline/cross-tab-channel';
import { installOffline } from './offline/install-offline';
import { faviconDrawer } from './notify/favicon-badge';
import { browserNotificationApi } from './notify/notification-api';
import { installTabBadge } from './notify/tab-badge';
import { registerSW } from './offline/pwa-register';
import { ServiceWorkerLifecycle } from './offline/service-worker-lifecycle';

// Zod probes for eval to speed up parsing; under the server's CSP the probe
// would only raise a violation report, so tell it up front not to try.
z.config({ jitless: true });

// The theme first, before anything renders (index.html's script blocks rendering until it ran;
// without a choice app.css follows prefers-color-scheme).
const theme = new ThemePreference({ storage: deviceStorage(), apply: (choice) => applyTheme(document.documentElement, choice) });

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');

const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
// A trusted session lives in the HttpOnly cookie: no token for script to read (docs/OFFLINE.md).
const sessionCookie = new SessionCookie({ fetch: (input, init) => fetch(input, init) });
// One channel per tab: a second one would hear this tab's own posts as another tab's.
const channel = new CrossTabChannel();
const core = createClientCore({
  url: `${scheme}//${location.host}/ws`,
  sessionCookie,
  theme,
  // New messages while the person is elsewhere, raised by one tab of the device (src/notify).
  notifications: { api: browserNotificationApi(), channel, focusTab: () => window.focus() },
});

// The app-shell service worker, cross-tab sync, public-computer idle logout and the logout wipe (src/offline).
installOffline({ core, theme, channel, serviceWorker: 'serviceWorker' in navigator ? new ServiceWorkerLifecycle({ register: registerSW }) : null });
// The unread total in the tab's title, on its icon and on the installed app's badge.
installTabBadge({
  dispatch: core.dispatch,
  document,
  appBadge: navigator,
  initialTotal: core.notifications.unreadTotal(),
  drawIcon: faviconDrawer('/icons/icon-192.png', document),
});
// The cache loads first so a stored session shows its conversations at once, even offline.
void core.start().finally(() => new AppView(core, { el: root }).render());

/** The page's localStorage, or null where the browser refuses storage (privacy settings throw on access). */
function deviceStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
