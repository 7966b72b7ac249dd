import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';
import {openTelemetry, telemetryFlags} from '../cli/telemetry-flags.ts';

export default class Run extends BaseCommand {
  static override summary = 'Run suites × models and write a run directory (results.jsonl, CSV, summary, HTML report).';
  static override description =
    'Fans every case of every suite out to every model under the configured concurrency, grades the answers, and writes reports/<runId>/. ' +
    'With the default bench.config.ts everything runs offline against the built-in sandbox (simulated models, no keys).';
  static override examples = [
    '<%= config.bin %> run',
    '<%= config.bin %> run --suite arithmetic --model sim-large --repeat 3',
    '<%= config.bin %> run --sample 10 --seed 7 --json',
    '<%= config.bin %> run --resume reports/2026-11-24T11-00-00Z',
    '<%= config.bin %> run --queue redis://127.0.0.1:6379    # with `assay worker redis://127.0.0.1:6379` on any number of machines',
    '<%= config.bin %> run --batch --suite arithmetic    # provider batch APIs: half price, results when the batch ends',
  ];
  static override flags = {
    config: Flags.string({char: 'c', description: 'config file (default: bench.config.ts, .js, .mjs, .json or .yaml in the current directory)'}),
    suite: Flags.string({char: 's', description: 'only this suite id (repeatable)', multiple: true}),
    model: Flags.string({char: 'm', description: 'only this model label (repeatable)', multiple: true}),
    out: Flags.string({char: 'o', description: 'reports directory (default: the config\'s outDir, "reports"); or a file: -o results.json (summary), .jsonl (results), .csv (results), .html (report), written besides the run directory'}),
    concurrency: Flags.integer({description: 'requests in flight at most, across all providers', min: 1}),
    repeat: Flags.integer({description: 'run every case this many times', min: 1}),
    sample: Flags.integer({description: 'run this many cases per suite, chosen by --seed', min: 1}),
    seed: Flags.integer({description: 'seed for --sample (and the sandbox)'}),
    resume: Flags.string({description: 'continue an interrupted run directory: only missing or failed requests are sent'}),
    'retry-errors': Flags.boolean({description: 'with --resume: also re-send requests whose result was an error', default: true, allowNo: true}),
    'no-cache': Flags.boolean({description: 'bypass the response cache: no reads, no writes'}),
    json: Flags.boolean({description: 'print the summary as one JSON document on stdout (progress goes to stderr)'}),
    'min-pass-rate': Flags.string({description: 'gate: fail (exit 1) if any model\'s pass rate is below this (0..1)'}),
    'max-error-rate': Flags.string({description: 'gate: fail if any model\'s error rate is above this (0..1)'}),
    'max-p95-latency-ms': Flags.integer({description: 'gate: fail if any model\'s p95 latency is above this', min: 1}),
    'max-cost-usd': Flags.string({description: 'gate: fail if the run cost more than this (models and judges)'}),
    junit: Flags.string({description: 'write JUnit XML (a testsuite per suite, a testcase per case and model, and the gate) to this file'}),
    queue: Flags.string({description: 'enqueue every request on this Redis (redis://HOST:PORT) for `assay worker` processes; this process grades and journals', exclusive: ['batch']}),
    'queue-window': Flags.integer({description: 'with --queue: at most this many jobs of each model in Redis at once, enqueued as earlier ones finish (default: 4 × concurrency, at least 1000)', min: 1, exclusive: ['batch']}),
    batch: Flags.boolean({description: 'send through the providers\' batch APIs (OpenAI Batch, Anthropic Message Batches) at batch prices; --resume picks up submitted batches'}),
    'batch-poll-ms': Flags.integer({description: 'with --batch: first poll interval in ms (backs off ×1.5 up to 20× this, at most 60 s; default 2000)', min: 1}),
    ...telemetryFlags,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Run);
    const fraction = (name: string, value: string | undefined, max = 1) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!(n >= 0 && n <= max)) this.error(`--${name} must be a number from 0 to ${max === 1 ? 1 : 'any positive amount'}, got ${JSON.stringify(value)}`, {exit: 2});
      return n;
    };
    const gate = {
      minPassRate: fraction('min-pass-rate', flags['min-pass-rate']),
      maxErrorRate: fraction('max-error-rate', flags['max-error-rate']),
      maxP95LatencyMs: flags['max-p95-latency-ms'],
      maxCostUsd: fraction('max-cost-usd', flags['max-cost-usd'], Number.POSITIVE_INFINITY),
    };
    const gateFlags = Object.fromEntries(Object.entries(gate).filter(([, v]) => v !== undefined));
    const [{runBenchmark, assertSomeSucceeded}, {isInteractive}, {renderSummary}] = await Promise.all([
      import('../runner/run-benchmark.ts'),
      import('../ui/is-interactive.ts'),
      import('../cli/render-summary.ts'),
    ]);
    // --queue: a bad URL is refused before a run directory is made; a password never reaches run.json.
    let redact: ((url: string) => string) | null = null;
    if (flags.queue) {
      const {parseRedisUrl, redactRedisUrl} = await import('../queue/redis-connection.ts');
      parseRedisUrl(flags.queue);
      redact = redactRedisUrl;
    }
    const {parseOutputFile, writeOutputFile} = await import('../report/output-file.ts');
    const outputFile = parseOutputFile(flags.out);
    const live = !flags.json && isInteractive();
    const view = live
      ? (await import('../ui/ink-progress.tsx')).createInkProgress()
      : (await import('../ui/plain-progress.ts')).createPlainProgress((line) => process.stderr.write(`${line}\n`));

    const telemetry = await openTelemetry(flags);
    const listener = telemetry ? (await import('../telemetry/telemetry-listeners.ts')).runEventTelemetry(telemetry, 'run') : null;
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) {
        view.stop();
        process.stderr.write(`\n${view.quitMessage()}\n`);
        process.exit(130);
      }
      view.stopping();
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let outcome;
    try {
      outcome = await runBenchmark({
        config: flags.config,
        suites: flags.suite,
        models: flags.model,
        outDir: outputFile ? undefined : flags.out,
        concurrency: flags.concurrency,
        repeat: flags.repeat,
        sample: flags.sample,
        seed: flags.seed,
        resume: flags.resume,
        retryErrors: flags['retry-errors'],
        noCache: flags['no-cache'],
        signal: controller.signal,
        onEvent: listener ? (event) => (view.onEvent(event), listener.onEvent(event)) : view.onEvent,
        argv: process.argv.slice(2).map((a) => (redact && flags.queue ? a.split(flags.queue).join(redact(flags.queue)) : a)),
        queue: flags.queue,
        queueWindow: flags['queue-window'],
        gate: Object.keys(gateFlags).length > 0 ? gateFlags : undefined,
        junit: flags.junit,
        batch: flags.batch || undefined,
        batchPollMs: flags['batch-poll-ms'],
      });
    } finally {
      view.stop();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      listener?.close();
      await telemetry?.shutdown();
    }
    if (outputFile) writeOutputFile(outcome.dir, outputFile);
    if (flags.json) process.stdout.write(`${JSON.stringify({...outcome.summary, dir: outcome.dir, interrupted: outcome.interrupted}, null, 2)}\n`);
    else this.log(renderSummary(outcome, {width: process.stdout.isTTY ? process.stdout.columns : undefined}));
    if (outputFile && !flags.json) this.log(`wrote ${outputFile}`);
    assertSomeSucceeded(outcome);
    if (outcome.interrupted) this.exit(130);
    if (outcome.gate && !outcome.gate.pass) {
      const failed = outcome.gate.checks.filter((c) => !c.pass);
      process.stderr.write(`gate failed (${failed.length} of ${outcome.gate.checks.length} checks):\n${failed.map((c) => `  ${c.scope}: ${c.message}`).join('\n')}\n`);
      this.exit(1);
    }
  }
}
