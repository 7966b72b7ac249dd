import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';

export default class View extends BaseCommand {
  static override summary = 'Serve the reports directory to a browser on 127.0.0.1: list runs, open one, compare two.';
  static override description =
    'Lists the runs newest first with their headline numbers, opens each run\'s report, compares two runs, and shows a run still in ' +
    'progress from its journal (the page refreshes itself). Binds 127.0.0.1 only and answers only requests addressed to it ' +
    '(Host header); it serves the runs\' reports and nothing else. Stop it with Ctrl+C.';
  static override examples = [
    '<%= config.bin %> view',
    '<%= config.bin %> view reports --port 8790',
    '<%= config.bin %> view /tmp/reports --port 0 --json',
  ];
  static override args = {
    dir: Args.string({description: 'reports directory (default: reports); a run directory serves its parent and opens that run', default: 'reports'}),
  };
  static override flags = {
    port: Flags.integer({char: 'p', description: 'port on 127.0.0.1 (0 picks a free one)', default: 8790, min: 0, max: 65535}),
    json: Flags.boolean({description: 'print {"url", "dir"} as one JSON document on stdout once listening'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(View);
    const [{existsSync, statSync}, {basename, dirname, join, resolve}, {InputError}, {startViewServer}] = await Promise.all([
      import('node:fs'),
      import('node:path'),
      import('../core/errors.ts'),
      import('../view/view-server.ts'),
    ]);
    let dir = resolve(args.dir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new InputError('no such reports directory', {file: args.dir, hint: 'run `assay run` first, or name the directory that holds the run directories'});
    }
    let open = '';
    if (existsSync(join(dir, 'results.jsonl'))) {
      open = `runs/${encodeURIComponent(basename(dir))}/`;
      dir = dirname(dir);
    }
    let server;
    try {
      server = await startViewServer({dir, port: flags.port});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new InputError(`port ${flags.port} is in use`, {hint: 'pick another with --port N, or --port 0 for any free port'});
      }
      throw error;
    }
    const url = `${server.url}${open}`;
    if (flags.json) process.stdout.write(`${JSON.stringify({url, dir})}\n`);
    else this.log(`assay view: ${url}  (serving ${dir}; Ctrl+C to stop)`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
  }
}
