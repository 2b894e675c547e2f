import { defineConfig } from 'vitest/config';

// Two projects: the server and shared protocol run in Node; the client core
// runs in happy-dom with fake-indexeddb. The explicit includes keep Vitest
// away from the Playwright specs in e2e/.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          environment: 'node',
          include: ['server/**/*.test.ts', 'src/protocol/**/*.test.ts', 'bench/**/*.test.ts', 'reliability/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'client',
          environment: 'happy-dom',
          include: ['src/**/*.test.ts'],
          exclude: ['src/protocol/**'],
          setupFiles: ['src/test-setup.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
