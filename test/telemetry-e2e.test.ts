import {spawn} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BIN, FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';
import {attr, OtlpCollector, parsePrometheus} from './otlp-collector.ts';

/** Polls until `check` returns a value (no fixed waits: a loaded machine only makes it slower). */
async function until<T>(check: () => Promise<T | null>, what: string, limitMs = 45_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('metrics out from the CLI: /metrics scraped while the monitor runs, OTLP at a collector stand-in', () => {
  let collector: OtlpCollector;
  let cwd: string;
  beforeEach(async () => {
    collector = await OtlpCollector.start();
    cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
  });
  afterEach(() => collector.close());

  it('assay monitor serves /metrics between cycles and exports each cycle\'s requests as spans under a cycle span', async () => {
    const child = spawn(process.execPath, [BIN, 'monitor', '--suite', 'arithmetic', '--model', 'sim-flash', '--interval', '1h', '--cycles', '3', '--json', '--metrics-port', '0', '--otlp-endpoint', collector.url], {
      cwd,
      env: {...process.env, CI: 'true'},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    try {
      const url = await until(async () => /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr)?.[1] ?? null, 'the metrics address on stderr');
      // After the first cycle the monitor waits an hour: scrape then, while it is still running.
      const samples = await until(async () => {
        const parsed = parsePrometheus(await (await fetch(url)).text());
        // The cycle's JSON line and its gauges are both out (they are written one after the other).
        return parsed.some((s) => s.name === 'assay_monitor_pass_rate') && stdout.includes('\n') ? parsed : null;
      }, 'the first cycle on /metrics');
      const cycle = JSON.parse(stdout.trim().split('\n')[0]!) as {points: Array<{model: string; n: number; graded: number; passed: number}>};
      const point = cycle.points[0]!;
      expect(samples.find((s) => s.name === 'assay_monitor_pass_rate')).toMatchObject({labels: {assay_model: 'sim-flash'}, value: point.passed / point.graded});
      const count = samples.find((s) => s.name === 'gen_ai_client_operation_duration_count')!;
      expect(count.value).toBe(point.n);
      expect(count.labels).toMatchObject({gen_ai_request_model: 'sim-flash-2026', assay_command: 'monitor', gen_ai_operation_name: 'chat'});
    } finally {
      child.kill('SIGTERM');
    }
    expect(await closed, stderr).toBe(0);
    // Stopping flushed the spans and metrics to the collector.
    expect(collector.errors).toEqual([]);
    const cycleSpan = collector.spans.find((s) => s.name === 'assay monitor cycle')!;
    const requests = collector.spans.filter((s) => s.parentSpanId === cycleSpan.spanId);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((s) => attr(s.attributes, 'assay.command') === 'monitor' && attr(s.attributes, 'gen_ai.request.model') === 'sim-flash-2026')).toBe(true);
    expect(collector.metric('assay.monitor.pass_rate')?.gauge?.dataPoints).toHaveLength(1);
  });

  it('assay load exports its measured requests (warm-up left out) and assay run one span per request', async () => {
    const load = await runCli(['load', '--model', 'sim-medium', '--profile', 'concurrency', '--concurrency', '2', '--requests', '6', '--warmup', '2', '--latency-scale', '0', '--json', '--otlp-endpoint', collector.url], {cwd});
    expect(load.code, load.stderr).toBe(0);
    const loadSpans = collector.spans.filter((s) => attr(s.attributes, 'assay.command') === 'load');
    expect(loadSpans).toHaveLength(6);
    const loadRoot = collector.spans.find((s) => s.name === 'assay load')!;
    expect(loadSpans.every((s) => s.parentSpanId === loadRoot.spanId && attr(s.attributes, 'gen_ai.system') === 'sandbox')).toBe(true);
    expect(loadSpans.every((s) => typeof attr(s.attributes, 'gen_ai.usage.output_tokens') === 'number')).toBe(true);

    const run = await runCli(['run', '--suite', 'arithmetic', '--model', 'sim-large', '--no-cache', '--json', '--otlp-endpoint', collector.url], {cwd});
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as {runId: string};
    const runSpans = collector.spans.filter((s) => attr(s.attributes, 'assay.command') === 'run');
    expect(runSpans.length).toBeGreaterThan(0);
    expect(runSpans.every((s) => attr(s.attributes, 'assay.run.id') === summary.runId && attr(s.attributes, 'gen_ai.provider.name') === 'sandbox')).toBe(true);
    const metrics = collector.metric('gen_ai.client.operation.duration')!.histogram!.dataPoints;
    expect(metrics.reduce((n, p) => n + Number(p.count), 0)).toBe(runSpans.length);
    // Telemetry flags are opt-in: without them no endpoint is announced.
    expect(run.stderr).not.toContain('metrics:');
  });
});
