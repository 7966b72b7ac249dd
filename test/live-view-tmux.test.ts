import {execFileSync} from 'node:child_process';
import {afterEach, describe, expect, it} from 'vitest';
import {BIN, makeProject} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// The live view as a person sees it: `assay run` in a real terminal (tmux), the screen read back.
// Nothing waits on a wall-clock margin: each step polls the screen for what it expects.
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
const session = `assay-live-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, {encoding: 'utf8'});
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function until(predicate: (text: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`the screen never showed ${what}:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasTmux)('the live view in a terminal (tmux)', () => {
  let sandbox: SandboxProcess | null = null;
  afterEach(async () => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
    await sandbox?.close();
  });

  async function start(args: string): Promise<void> {
    // Slow simulated answers (the sandbox in its own process) so the run is still going when the screen is read.
    sandbox = await SandboxProcess.start({anyModel: true, latencyScale: 1});
    const cases = Array.from({length: 12}, (_, i) => `  - {id: c${i}, q: "q${i}", expected: "a${i}"}`).join('\n');
    const cwd = makeProject({
      'bench.config.yaml': `providers:\n  - {id: sim, type: sandbox, wire: openai, baseURL: "${sandbox.url}/v1", models: [{label: alpha, model: sim-large}, {label: beta, model: sim-medium}, {label: gamma, model: sim-flash}]}\nsuites: [s.yaml]\n`,
      's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\ngraders: [{type: exact-match}]\n`,
    });
    const env = "-u CI NO_COLOR=1 FORCE_COLOR=0";
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '30', `cd ${cwd} && env ${env} ${process.execPath} ${BIN} run ${args}; echo "EXIT=$?"; sleep 600`);
  }

  it('at --concurrency 2: in flight sums to at most 2 with the cap named, an ETA, and a final frame equal to the final state', async () => {
    await start('--concurrency 2');
    const live = await until((t) => /ETA \d/.test(t) && /in flight of 2/.test(t), 'an ETA and the cap');
    for (const line of live.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const inFlight = /(\d+) in flight of 2/.exec(live)!;
    expect(Number(inFlight[1])).toBeLessThanOrEqual(2);
    const perModel = [...live.matchAll(/(\d+) in flight(?! of)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(perModel).toBeLessThanOrEqual(2);
    const done = await until((t) => t.includes('EXIT='), 'the end of the run', 120_000);
    expect(done).toMatch(/36\/36 \(100%\)/);
    expect(done).not.toMatch(/\d+ in flight/);
    expect(done).toContain('EXIT=0');
  });

  it('Ctrl+C once is acknowledged in the frame; twice says what is saved and how to resume', async () => {
    await start('--concurrency 2');
    await until((t) => /[1-9]\d*\/36/.test(t), 'a first result');
    // From now on answers stall: the requests in flight at the first Ctrl+C are still open at the second.
    await sandbox!.forceFault('stall');
    // Answers sent before the fault still finish. A new request goes out only when one of the two slots
    // frees, so two stalled arrivals mean both slots hold a stalled request; otherwise the first Ctrl+C
    // could drain what is in flight and end the run before the second arrives.
    while ((await sandbox!.log()).filter((r) => r.fault === 'stall').length < 2) await new Promise((r) => setTimeout(r, 50));
    tmux('send-keys', '-t', session, 'C-c');
    const stopping = await until((t) => t.includes('stopping: '), 'the stop acknowledgement');
    expect(stopping).toMatch(/stopping: \d+ in flight finish and are saved; Ctrl\+C again quits now/);
    tmux('send-keys', '-t', session, 'C-c');
    const after = await until((t) => t.includes('EXIT='), 'the exit');
    expect(after).toContain('EXIT=130');
    // The terminal wraps long lines at 80 columns: read the message unwrapped.
    expect(after.replace(/\n/g, '')).toMatch(/stopped: \d+ result\(s\) saved in \S+ \(\d+ not finished\); resume with: assay run --resume \S+/);
  });
});
