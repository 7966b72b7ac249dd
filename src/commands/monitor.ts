import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';
import {openTelemetry, telemetryFlags} from '../cli/telemetry-flags.ts';

export default class MonitorCommand extends BaseCommand {
  static override summary = 'Run a small suite against the enabled models on a schedule and say when a model drifts from its own baseline.';
  static override description =
    'Each cycle runs the suites (no cache: every answer is fresh) and appends per model its pass rate, errors by class, latencies and ' +
    'cost to <out>/series.jsonl. After a model\'s first --baseline cycles, each cycle is tested against them: error and pass rate by ' +
    'Fisher\'s exact test, latency by a Mann-Whitney rank test, Holm-adjusted across the cycle. A drift for the worse is printed, ' +
    'written to the series, POSTed to --webhook, and with --fail-on-drift ends the monitor with exit 1. Started again, it continues ' +
    'the same series and baseline. The config\'s rate limits apply to every cycle.';
  static override examples = [
    '<%= config.bin %> monitor --suite capitals --interval 5m',
    '<%= config.bin %> monitor --suite capitals --model sim-flash --interval 0 --cycles 4 --baseline 2',
    '<%= config.bin %> monitor --suite arithmetic --interval 1h --webhook http://127.0.0.1:9000/alerts --fail-on-drift',
  ];
  static override flags = {
    suite: Flags.string({char: 's', description: 'suite id to run each cycle (repeatable; default all)', multiple: true}),
    model: Flags.string({char: 'm', description: 'model label to watch (repeatable; default all)', multiple: true}),
    interval: Flags.string({description: 'time between cycles: 30s, 5m, 1h, 500ms', default: '5m'}),
    jitter: Flags.string({description: 'spread each wait by ± this share of the interval', default: '0.1'}),
    cycles: Flags.integer({description: 'cycles to run, then exit (default: until Ctrl+C)', min: 1}),
    baseline: Flags.integer({description: 'a model\'s first cycles that form its baseline', default: 3, min: 1}),
    alpha: Flags.string({description: 'significance level for a drift, after Holm adjustment', default: '0.05'}),
    webhook: Flags.string({description: 'URL to POST {drifts} to when a cycle finds drift'}),
    'fail-on-drift': Flags.boolean({description: 'stop at the first drift and exit 1'}),
    out: Flags.string({char: 'o', description: 'where series.jsonl and the cycles\' runs go', default: 'reports/monitor'}),
    config: Flags.string({char: 'c', description: 'config file'}),
    json: Flags.boolean({description: 'print one JSON line per cycle on stdout'}),
    ...telemetryFlags,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(MonitorCommand);
    const [{runMonitor}, {parseDurationMs}, {renderMonitorCycle}] = await Promise.all([import('../monitor/run-monitor.ts'), import('../monitor/parse-duration.ts'), import('../monitor/render-monitor.ts')]);
    const jitter = Number(flags.jitter);
    const alpha = Number(flags.alpha);
    if (!(jitter >= 0 && jitter < 1)) this.error(`--jitter must be a number in [0, 1), got ${JSON.stringify(flags.jitter)}`, {exit: 2});
    if (!(alpha > 0 && alpha < 1)) this.error(`--alpha must be a number in (0, 1), got ${JSON.stringify(flags.alpha)}`, {exit: 2});
    const telemetry = await openTelemetry(flags);
    const listener = telemetry ? (await import('../telemetry/telemetry-listeners.ts')).runEventTelemetry(telemetry, 'monitor') : null;
    const controller = new AbortController();
    const stop = () => (controller.signal.aborted ? process.exit(130) : controller.abort());
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    let outcome;
    try {
      outcome = await runMonitor({
        config: flags.config,
        suites: flags.suite,
        models: flags.model,
        intervalMs: parseDurationMs(flags.interval, '--interval'),
        jitter,
        cycles: flags.cycles,
        dir: flags.out,
        baselineCycles: flags.baseline,
        alpha,
        webhook: flags.webhook,
        stopOnDrift: flags['fail-on-drift'],
        signal: controller.signal,
        onEvent: listener?.onEvent,
        onCycle: (cycle) => {
          telemetry?.recordCycle(cycle.points, cycle.drifts);
          if (flags.json) process.stdout.write(`${JSON.stringify(cycle)}\n`);
          else this.log(renderMonitorCycle(cycle, flags.baseline));
        },
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      listener?.close();
      await telemetry?.shutdown();
    }
    if (!flags.json) this.log(`series: ${outcome.series} (${outcome.cycles} cycle(s) this time, ${outcome.drifts.length} drift(s))`);
    if (flags['fail-on-drift'] && outcome.drifts.length > 0) this.exit(1);
  }
}
