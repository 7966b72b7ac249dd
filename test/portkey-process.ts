import {fork, type ChildProcess} from 'node:child_process';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {ROOT} from './helpers.ts';

/**
 * The open-source Portkey gateway (@portkey-ai/gateway from npm, a devDependency) in its own process,
 * on a loopback port the OS picks. test/fixtures/portkey-preload.mjs reports the port over IPC and
 * seeds the gateway's Math.random, so its loadbalance draws repeat from run to run.
 */
export class PortkeyProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly output: () => string,
  ) {}

  static start(opts: {seed?: number} = {}): Promise<PortkeyProcess> {
    const pkg = createRequire(join(ROOT, 'package.json')).resolve('@portkey-ai/gateway/package.json');
    const child = fork(join(dirname(pkg), 'build', 'start-server.js'), ['--port=0', '--headless'], {
      execPath: process.execPath,
      execArgv: ['--import', join(ROOT, 'test', 'fixtures', 'portkey-preload.mjs')],
      // No keys of ours reach the gateway's environment: the config header carries what it needs.
      env: {PATH: process.env.PATH, NODE_ENV: 'production', ASSAY_GATEWAY_SEED: String(opts.seed ?? 1)},
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`portkey gateway exited with ${code} before listening:\n${output}`)));
      child.once('message', (message: {type: string; port: number}) => {
        child.removeAllListeners('exit');
        resolve(new PortkeyProcess(child, `http://127.0.0.1:${message.port}`, () => output));
      });
    });
  }

  /** One OpenAI-shaped chat completion through the gateway. */
  async chat(config: string, body: Record<string, unknown>, metadata: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<{status: number; json: Record<string, unknown>}> {
    const res = await fetch(`${this.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json', 'x-portkey-config': config, 'x-portkey-metadata': JSON.stringify(metadata), ...headers},
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {raw: text};
    }
    return {status: res.status, json};
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
