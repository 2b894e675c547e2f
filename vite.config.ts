import { defineConfig } from 'vite';

// The built app is served by server/ under a strict CSP (script-src 'self',
// style-src 'self', no eval), so the build must emit no inline script or
// style: the module-preload polyfill is inline code and stays off, and CSS
// goes to its own file.
export default defineConfig({
  root: '.',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `vite` dev server proxies the socket to a locally running server/main.ts.
    proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
