import {fork, type ChildProcess} from 'node:child_process';
import {join} from 'node:path';
import type {Fault, SandboxOptions, SandboxRequestLog} from '../src/sandbox/sandbox-server.ts';
import {ROOT} from './helpers.ts';

/**
 * The sandbox served from a child process. A fault test that runs the sandbox in its own thread makes the
 * server's work (multi-megabyte replies, many sockets) delay the runner's timers, so the test measures
 * its own harness instead of the code under test.
 */
export class SandboxProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static start(options: SandboxOptions = {}): Promise<SandboxProcess> {
    const child = fork(join(ROOT, 'test', 'fixtures', 'sandbox-child.ts'), [JSON.stringify(options)], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code} before listening`)));
      child.once('message', (message: {type: string; url: string}) => {
        child.removeAllListeners('exit');
        resolve(new SandboxProcess(child, message.url));
      });
    });
  }

  /** Every request the sandbox received so far, in arrival order. */
  log(): Promise<SandboxRequestLog[]> {
    return new Promise((resolve) => {
      const onMessage = (message: {type: string; log: SandboxRequestLog[]}) => {
        if (message.type !== 'log') return;
        this.child.off('message', onMessage);
        resolve(message.log);
      };
      this.child.on('message', onMessage);
      this.child.send({type: 'log'});
    });
  }

  /** Stalls the server's event loop for `ms` (nothing is answered meanwhile); resolves with when, in ms since the epoch. */
  block(ms: number): Promise<{startEpochMs: number; endEpochMs: number}> {
    return new Promise((resolve) => {
      const onMessage = (message: {type: string; startEpochMs: number; endEpochMs: number}) => {
        if (message.type !== 'blocked') return;
        this.child.off('message', onMessage);
        resolve({startEpochMs: message.startEpochMs, endEpochMs: message.endEpochMs});
      };
      this.child.on('message', onMessage);
      this.child.send({type: 'block', ms});
    });
  }

  /** Every request from now on gets this fault (null: back to normal). */
  forceFault(fault: Fault | null): Promise<void> {
    return new Promise((resolve) => {
      const onMessage = (message: {type: string}) => {
        if (message.type !== 'fault-set') return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
      this.child.send({type: 'fault', fault});
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({type: 'close'});
    });
  }
}
