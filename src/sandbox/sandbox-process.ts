import {fork} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import type {Sandbox, SandboxOptions} from './sandbox-server.ts';

/** A sandbox served by a child process: its address, and how to stop it. */
export interface SandboxProcess {
  url: string;
  baseURLFor: Sandbox['baseURLFor'];
  close(): Promise<void>;
}

/**
 * Starts the sandbox in a child process. A load generator must not share its event loop with the
 * server it stresses: the server's work would show up as the generator's lag and as latency.
 */
export function startSandboxProcess(options: SandboxOptions): Promise<SandboxProcess> {
  // Under the TypeScript sources (tests, Node's type stripping) the child is the .ts file; built, the .js one.
  const entry = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './sandbox-child.ts' : './sandbox-child.js', import.meta.url));
  const child = fork(entry, [JSON.stringify(options)], {stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: []});
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the sandbox process exited with code ${code} before listening`)));
    child.once('message', (message: {type: string; url: string}) => {
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.on('error', () => {});
      const url = message.url;
      resolve({
        url,
        baseURLFor: (wire) => (wire === 'openai' ? `${url}/v1` : url),
        close: () =>
          child.exitCode !== null || child.signalCode !== null
            ? Promise.resolve()
            : new Promise<void>((done) => {
                child.once('exit', () => done());
                child.send({type: 'close'});
              }),
      });
    });
  });
}
