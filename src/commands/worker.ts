import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';

export default class WorkerCommand extends BaseCommand {
  static override summary = 'Take requests from a Redis queue (`assay run --queue`), send them, and return the answers.';
  static override description =
    'Runs on any number of machines. Needs no config file: each job carries the provider definition (with the NAMES of its key ' +
    'variables) and the request; keys come from this machine\'s environment. Rate limits and concurrency are shared with every other ' +
    'worker through Redis. The coordinator grades and journals. Ctrl+C stops taking jobs and lets those in flight finish; a worker ' +
    'that dies has its jobs re-delivered to another one after --lock-ms.';
  static override examples = [
    '<%= config.bin %> worker redis://127.0.0.1:6379',
    'OPENAI_API_KEY=... <%= config.bin %> worker redis://queue.internal:6379 --concurrency 32',
    '<%= config.bin %> worker redis://127.0.0.1:6379 --exit-when-idle-ms 10000 --json',
  ];
  static override args = {
    url: Args.string({description: 'the Redis server: redis://HOST:PORT (rediss:// for TLS, redis://:PASSWORD@HOST:PORT/DB)', required: true}),
  };
  static override flags = {
    concurrency: Flags.integer({description: 'jobs this worker runs at once (each still waits for the shared limits)', default: 16, min: 1}),
    'lock-ms': Flags.integer({description: 'job lock duration: a dead worker\'s jobs are re-delivered this long (plus at most 5 s) after it stopped renewing', default: 30_000, min: 500}),
    'exit-when-idle-ms': Flags.integer({description: 'exit (0) after this long with no job in flight or taken', min: 0}),
    json: Flags.boolean({description: 'print one JSON line per event on stdout (ready, job, warning, stopping, done)'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(WorkerCommand);
    const {runWorker} = await import('../queue/run-worker.ts');
    const controller = new AbortController();
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const onSignal = () => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\nstopping: no new jobs; those in flight finish and are returned (Ctrl+C again to quit at once: their jobs go to another worker after --lock-ms)\n');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await runWorker({
        url: args.url,
        concurrency: flags.concurrency,
        lockMs: flags['lock-ms'],
        exitWhenIdleMs: flags['exit-when-idle-ms'],
        signal: controller.signal,
        onEvent: (e) => {
          if (flags.json) return out(JSON.stringify(e));
          if (e.type === 'ready') out(`assay worker ${e.worker}: taking jobs from ${e.url} (queue ${e.queue}), ${e.concurrency} at a time, lock ${e.lockMs} ms`);
          else if (e.type === 'job' && e.status === 'error') process.stderr.write(`  ${e.model} ${e.key}: ${e.errorClass} after ${e.attempts} attempt(s)\n`);
          else if (e.type === 'warning') process.stderr.write(`warning: ${e.message}\n`);
          else if (e.type === 'stopping') out(`stopping (${e.reason === 'idle' ? 'idle' : 'signal'}): ${e.inFlight} job(s) in flight finish first`);
        },
      });
      if (flags.json) out(JSON.stringify({type: 'done', ...summary}));
      else out(`done: ${summary.jobs} job(s), ${summary.ok} ok, ${summary.errors} error(s)`);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
