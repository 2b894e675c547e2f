import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { pwaOptions } from './src/offline/pwa-config';

/**
 * Underscore ships `_.template`, which compiles with `new Function`, and a
 * `Function('return this')` fallback for finding the global object; zod
 * probes whether eval works (skipped anyway under `jitless`, see main.ts).
 * The app never needs any of them (views build DOM with src/views/dom.ts) and
 * the server's CSP forbids eval, so the bundle carries none: the template
 * compiler throws a clear error, the global object is `globalThis`, and the
 * probe answers "no".
 */
export function withoutEval(): Plugin {
  return {
    name: 'tidings:without-eval',
    enforce: 'pre',
    transform(code, id) {
      if (/[\\/]node_modules[\\/]zod[\\/]/.test(id)) {
        const out = code.replace(/const F = Function;\s*new F\(""\);\s*return true;/g, 'return false;');
        return out === code ? null : { code: out, map: null };
      }
      if (!/[\\/]node_modules[\\/]underscore[\\/]/.test(id)) return null;
      const out = code
        .replace(/new Function\(\s*argument\s*,\s*'_'\s*,\s*source\s*\)/g,
          "(function () { throw new Error('_.template is disabled: Tidings runs under a CSP without unsafe-eval'); })()")
        .replace(/Function\('return this'\)\(\)/g, 'globalThis');
      return out === code ? null : { code: out, map: null };
    },
  };
}

/**
 * src/store/early-open-entry.ts is built as an entry of its own (a few hundred
 * bytes) and put first in index.html's head as an async module script, so it
 * opens the local database while the browser still fetches, compiles and runs
 * the app's bundle (docs/CLIENT.md, "Cold start"). Build only: under the dev
 * server the app opens the database itself, a little later.
 */
export function earlyOpenScript(): Plugin {
  return {
    name: 'tidings:early-open',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const entry = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'early-open');
        if (!entry) throw new Error('the early-open entry is missing from the build (vite.config.ts rollupOptions.input)');
        return [{ tag: 'script', attrs: { type: 'module', async: true, src: `/${entry.fileName}` }, injectTo: 'head-prepend' }];
      },
    },
  };
}

// The built app is served by server/ under a strict CSP (script-src 'self',
// style-src 'self', no eval), so the build must emit no inline script or
// style: the module-preload polyfill is inline code and stays off, and CSS
// goes to its own file.
export default defineConfig({
  root: '.',
  publicDir: 'public',
  plugins: [withoutEval(), earlyOpenScript(), VitePWA(pwaOptions)],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        'early-open': fileURLToPath(new URL('src/store/early-open-entry.ts', import.meta.url)),
      },
    },
  },
  server: {
    // `vite` dev server proxies the socket to a locally running server/main.ts.
    proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
