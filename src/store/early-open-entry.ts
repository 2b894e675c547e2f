import { openEarly } from './early-open';

// Its own script, first in index.html's head (vite.config.ts): runs before the app's bundle.
openEarly(globalThis.localStorage ?? null, globalThis.indexedDB ?? null);
