import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';
import {openTelemetry, telemetryFlags} from '../cli/telemetry-flags.ts';

export default class Load extends BaseCommand {
  static override summary = 'Load-test models: closed-loop concurrency, open-loop rate, or a sweep to the saturation point.';
  static override description =
    'Sends synthetic (or suite) requests to each model under a load profile and measures TTFT, inter-token latency, TPOT and end-to-end ' +
    'latency percentiles, achieved requests/s and output tokens/s, goodput under SLOs, and the saturation point. Latencies also count from ' +
    'each request\'s scheduled send time, so a slow generator or a client-side limit cannot hide queueing. Writes reports/load-<time>/ with ' +
    'load.json, load.csv and load.html. Simulated models run in a sandbox process of their own.';
  static override examples = [
    '<%= config.bin %> load --model sim-medium --profile sweep --requests 40 --ignore-limits',
    '<%= config.bin %> load --model sim-medium --profile rate --rate 20 --duration 10 --slo ttft=500ms,itl=50ms',
    '<%= config.bin %> load --profile concurrency --concurrency 4 --requests 20 --json',
  ];
  static override flags = {
    config: Flags.string({char: 'c', description: 'config file (default: bench.config.ts, .js, .mjs, .json or .yaml in the current directory)'}),
    model: Flags.string({char: 'm', description: 'model label to load (repeatable; default every chat model)', multiple: true}),
    profile: Flags.string({description: 'concurrency (closed loop), rate (open loop) or sweep (synchronous → max throughput → rates between)', options: ['concurrency', 'rate', 'sweep'], required: true}),
    concurrency: Flags.integer({description: 'requests in flight (concurrency profile; default 8), or the sweep\'s throughput probe (default 32)', min: 1}),
    rate: Flags.string({description: 'requests per second offered (rate profile)'}),
    arrivals: Flags.string({description: 'open-loop arrivals: poisson (default for rate) or constant (default for sweep)', options: ['poisson', 'constant']}),
    burstiness: Flags.string({description: 'gamma shape of poisson arrivals: 1 = Poisson, below 1 burstier, above 1 more even'}),
    duration: Flags.string({description: 'seconds each step sends for (after warm-up)'}),
    requests: Flags.integer({description: 'measured requests per step (default 50 without --duration)', min: 1}),
    warmup: Flags.integer({description: 'requests per step sent first and left out of every number (default: the concurrency or one second of the rate, at most 20)', min: 0}),
    steps: Flags.integer({description: 'sweep: open-loop steps between the synchronous and the maximum rate', min: 1, default: 5}),
    'input-tokens': Flags.string({description: 'prompt length: 128, uniform:64-256 or normal:128,32', default: '128'}),
    'output-tokens': Flags.string({description: 'output length (sent as max_tokens, with an instruction to keep writing): 64, uniform:32-128 or normal:64,16', default: '64'}),
    suite: Flags.string({char: 's', description: 'send this suite\'s cases (cycled) instead of synthetic prompts'}),
    sample: Flags.string({description: 'send a traffic sample\'s requests (cycled; JSONL chat requests or CSV with a prompt column) instead of synthetic prompts', exclusive: ['suite']}),
    slo: Flags.string({description: 'goodput SLOs per request, e.g. ttft=500ms,itl=50ms,e2e=10s'}),
    stream: Flags.boolean({description: 'stream responses (needed for TTFT and ITL)', default: true, allowNo: true}),
    'allow-cache': Flags.boolean({description: 'let requests share a prefix (prompt caching may serve them); by default each starts unique'}),
    retry: Flags.boolean({description: 'retry failed requests (429s, 5xx, timeouts) inside a step with the provider\'s retry policy; off by default because retries hide saturation'}),
    'ignore-limits': Flags.boolean({description: 'ignore the config\'s concurrency, rpm and tpm limits'}),
    seed: Flags.integer({description: 'seed for the workload and arrivals (default the config\'s)'}),
    out: Flags.string({char: 'o', description: 'reports directory (default the config\'s outDir, "reports")'}),
    'latency-scale': Flags.string({description: 'multiply the sandbox\'s simulated latencies'}),
    json: Flags.boolean({description: 'print load.json on stdout (progress goes to stderr)'}),
    ...telemetryFlags,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Load);
    const number = (name: string, value: string | undefined) => {
      if (value === undefined) return undefined;
      const v = Number(value);
      if (!(Number.isFinite(v) && v > 0)) this.error(`--${name} must be a number above 0, got ${JSON.stringify(value)}`, {exit: 2});
      return v;
    };
    const [{runLoad}, {renderLoad}] = await Promise.all([import('../load/run-load.ts'), import('../load/render-load.ts')]);
    const telemetry = await openTelemetry(flags);
    const listener = telemetry ? (await import('../telemetry/telemetry-listeners.ts')).loadEventTelemetry(telemetry) : null;
    const controller = new AbortController();
    const onSignal = () => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\nstopping: no new requests; the partial results are written (Ctrl+C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let outcome;
    try {
      outcome = await runLoad({
        config: flags.config,
        models: flags.model,
        profile: flags.profile as 'concurrency' | 'rate' | 'sweep',
        concurrency: flags.concurrency,
        rateRps: number('rate', flags.rate),
        arrivals: flags.arrivals as 'poisson' | 'constant' | undefined,
        burstiness: number('burstiness', flags.burstiness),
        durationS: number('duration', flags.duration),
        requests: flags.requests,
        warmup: flags.warmup,
        sweepSteps: flags.steps,
        inputTokens: flags['input-tokens'],
        outputTokens: flags['output-tokens'],
        suite: flags.suite,
        sample: flags.sample,
        slo: flags.slo,
        stream: flags.stream,
        allowCache: flags['allow-cache'],
        ignoreLimits: flags['ignore-limits'],
        retry: flags.retry,
        seed: flags.seed,
        outDir: flags.out,
        sandboxLatencyScale: flags['latency-scale'] === undefined ? undefined : Number(flags['latency-scale']),
        signal: controller.signal,
        argv: process.argv.slice(2),
        onEvent: (e) => {
          listener?.onEvent(e);
          if (e.type === 'step') process.stderr.write(`${e.model} step ${e.step.index + 1}: ${e.step.requests.measured} requests, ${e.step.achievedRps.toFixed(2)} req/s${e.step.valid ? '' : ` (not valid: ${e.step.invalidReason})`}\n`);
          else if (e.type === 'warning') process.stderr.write(`warning: ${e.message}\n`);
        },
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      listener?.close();
      await telemetry?.shutdown();
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`);
    else this.log(renderLoad(outcome));
    const steps = Object.values(outcome.report.models).flatMap((m) => m.steps);
    if (steps.length > 0 && steps.every((s) => s.requests.ok === 0)) {
      process.stderr.write('every request failed: see load.csv for the error classes\n');
      this.exit(3);
    }
    if (outcome.interrupted) this.exit(130);
  }
}
