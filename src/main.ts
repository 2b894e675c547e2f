/**
 * The app's entry point and the only place that builds concrete objects: the
 * client core (socket, store, controllers) for this origin, then the views.
 */
import { z } from 'zod';
import { createClientCore } from './core/create-client-core';
import { AppView } from './views/app-view';
import { installOffline } from './offline/install-offline';
import { registerSW } from './offline/pwa-register';
import { ServiceWorkerLifecycle } from './offline/service-worker-lifecycle';

// Zod probes for eval to speed up parsing; under the server's CSP the probe
// would only raise a violation report, so tell it up front not to try.
z.config({ jitless: true });

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');

const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
const core = createClientCore({ url: `${scheme}//${location.host}/ws` });

// The app-shell service worker, cross-tab sync, public-computer idle logout and the logout wipe (src/offline).
installOffline({ core, serviceWorker: 'serviceWorker' in navigator ? new ServiceWorkerLifecycle({ register: registerSW }) : null });
// The cache loads first so a stored session shows its conversations at once, even offline.
void core.start().finally(() => new AppView(core, { el: root }).render());
