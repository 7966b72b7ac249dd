import {defineConfig} from 'vitest/config';

// Tests by kind, as vitest projects; `npm test` runs all three (`npx vitest run --project unit` runs one).
// A new test file is a unit test unless it is listed below.

/** Start the CLI (dist/, rebuilt first when older than src/) against the sandbox on loopback. */
const E2E = [
  'test/ab.test.ts',
  'test/batch-run.test.ts',
  'test/check.test.ts',
  'test/cli-messages.test.ts',
  'test/config-errors.test.ts',
  'test/durability.test.ts',
  'test/fault-causes.test.ts',
  'test/gate.test.ts',
  'test/input-validation.test.ts',
  'test/judge-e2e.test.ts',
  'test/launcher.test.ts',
  'test/load.test.ts',
  'test/monitor.test.ts',
  'test/docs-examples.test.ts',
  'test/onboarding-config.test.ts',
  'test/prices-cli.test.ts',
  'test/proxy.test.ts',
  'test/routing-cli.test.ts',
  'test/routing-estimate-coverage.test.ts',
  'test/routing-learned.test.ts',
  'test/run-e2e.test.ts',
  'test/scaffold.test.ts',
  'test/telemetry-e2e.test.ts',
  'test/served-model.test.ts',
  'test/traffic-import.test.ts',
  'test/write-failures.test.ts',
];

/** Need a real redis-server or Chromium (scripts/ensure-redis.sh, scripts/ensure-chromium.sh install them). */
const INFRA = [
  'test/live-view-tmux.test.ts',
  'test/queue-limits.test.ts',
  'test/queue-run.test.ts',
  'test/queue-window.test.ts',
  'test/report-ab-section.test.ts',
  'test/report-browser.test.ts',
  'test/report-layout.test.ts',
  'test/report-media-browser.test.ts',
  'test/report-hostile.test.ts',
  'test/report-routing-section.test.ts',
  'test/view-server.test.ts',
];

export default defineConfig({
  test: {
    // End-to-end tests start the CLI and a loopback server; they finish in seconds, but a loaded CI
    // machine deserves headroom before a test is called hung.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/plain-count-reporter.ts'],
    projects: [
      {extends: true, test: {name: 'unit', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: [...E2E, ...INFRA]}},
      {extends: true, test: {name: 'e2e', include: E2E, globalSetup: ['./test/build-dist.ts']}},
      {extends: true, test: {name: 'infra', include: INFRA, globalSetup: ['./test/build-dist.ts']}},
    ],
  },
});
