// 100,000 × 2 as bench:scale runs it, the child's RSS sampled from /proc every 100 ms and tagged with
// the phase: run (journal growing) or reports (journal complete, report files being written).
// Run: node bench/phase-sample.ts [ASSAY_ROOT]   (another build's checkout to compare; default this one)
import {spawn} from 'node:child_process';
import {tmpdir} from 'node:os';
import {mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
const ROOT = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const server = new Sandbox({models: [resolveSimModel('zero-a', {ttftMs: 0, msPerToken: 0}), resolveSimModel('zero-b', {ttftMs: 0, msPerToken: 0})]});
await server.listen();
const dir = mkdtempSync(join(tmpdir(), 'assay-phases-'));
const cases = 100_000;
writeFileSync(join(dir, 'cases.csv'), `${['id,q,expected', ...Array.from({length: cases}, (_, i) => `c${i},question ${i},answer ${i}`)].join('\n')}\n`);
writeFileSync(join(dir, 's.yaml'), 'id: s\nprompt: "Answer {{q}}"\ndataset: cases.csv\ngraders: [{type: exact-match}]\n');
writeFileSync(join(dir, 'bench.config.yaml'), `providers:\n  - id: local\n    type: openai-compatible\n    baseURL: ${server.url}/v1\n    circuitBreaker: false\n    models:\n      - { label: zero-a, model: zero-a, stream: false }\n      - { label: zero-b, model: zero-b, stream: false }\nsuites: [s.yaml]\nconcurrency: 64\n`);
const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'run', '--json'], {cwd: dir, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'ignore', 'ignore']});
const peak: Record<string, number> = {};
let phase = 'load';
const timer = setInterval(() => {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    const runs = readdirSync(join(dir, 'reports')).filter((d) => !d.startsWith('.'));
    if (runs.length > 0) {
      const files = readdirSync(join(dir, 'reports', runs[0]!));
      const size = files.includes('results.jsonl') ? statSync(join(dir, 'reports', runs[0]!, 'results.jsonl')).size : 0;
      phase = files.some((f) => f.startsWith('results.csv') || f.startsWith('summary')) ? 'reports' : size > 0 ? 'run' : 'load';
    }
    peak[phase] = Math.max(peak[phase] ?? 0, Math.round(rss));
  } catch {
    // the child has not made its run directory yet, or has just exited
  }
}, 100);
child.on('close', (code) => {
  clearInterval(timer);
  console.log(ROOT, 'exit', code, 'phase peaks MB', JSON.stringify(peak));
  server.close?.();
  process.exit(0);
});
