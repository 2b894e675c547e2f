import { defineConfig, type Plugin } from 'vite';

/**
 * Underscore ships `_.template`, which compiles with `new Function`, and a
 * `Function('return this')` fallback for finding the global object. The app
 * never calls either (views build DOM with src/views/dom.ts), and the server's
 * CSP forbids eval, so the bundle carries neither: the template compiler
 * throws a clear error instead and the global object is `globalThis`.
 */
export function underscoreWithoutEval(): Plugin {
  return {
    name: 'tidings:underscore-without-eval',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]underscore[\\/]/.test(id)) return null;
      const out = code
        .replace(/new Function\(\s*argument\s*,\s*'_'\s*,\s*source\s*\)/g,
          "(function () { throw new Error('_.template is disabled: Tidings runs under a CSP without unsafe-eval'); })()")
        .replace(/Function\('return this'\)\(\)/g, 'globalThis');
      return out === code ? null : { code: out, map: null };
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
  plugins: [underscoreWithoutEval()],
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
