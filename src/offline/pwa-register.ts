/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * The bridge to vite-plugin-pwa's registration module, kept in its own file
 * so everything else in src/offline runs in unit tests without the plugin.
 */
export { registerSW } from 'virtual:pwa-register';
