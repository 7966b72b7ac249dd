import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // End-to-end tests start the CLI and a loopback server; they finish in seconds, but a loaded CI
    // machine deserves headroom before a test is called hung.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/plain-count-reporter.ts'],
  },
});
