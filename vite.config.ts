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
 * The entry script blocks rendering (`blocking="render"`) so that the theme
 * a person chose (a class set by the bundle's first statements, src/main.ts)
 * is on the page before its first paint; the CSP forbids the usual inline
 * script for that. Vite rebuilds the entry tag and drops the attribute, so
 * it is put back here. Without a choice app.css follows prefers-color-scheme.
 */
export function renderBlockingEntry(): Plugin {
  return {
    name: 'tidings:render-blocking-entry',
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace(/<script type="module"(?![^>]*\bblocking=)/, '<script type="module" blocking="render"'),
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
  plugins: [withoutEval(), renderBlockingEntry(), VitePWA(pwaOptions)],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps: production does not need them and the server does not serve them (server/http/static-files.ts).
    sourcemap: false,
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `vite` dev server proxies the socket to a locally running server/main.ts.
    proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
