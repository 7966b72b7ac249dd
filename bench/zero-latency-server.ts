// The zero-latency OpenAI-compatible server of the benchmarks (overhead, peer, queue-scale): the
// sandbox in a process of its own, so neither the measured client (assay, the bare loop, a peer tool)
// nor the bench shares its event loop. Run: node bench/zero-latency-server.ts CASES MODEL...
// Models answer at once, except `fixed`, which answers after 20 ms (for latency truth). It registers
// the answer to `Answer question i` as `answer i` for i < CASES, so a simulated model answers those
// right or wrong (seeded per prompt and model, the same for every client) and exact-match grading has
// something to count. Prints its URL (the OpenAI wire is under /v1) as its first line; each line read
// on stdin is answered with the CPU seconds it has used so far; stops on SIGTERM or when stdin closes.
import {createInterface} from 'node:readline';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';

const [casesArg, ...models] = process.argv.slice(2);
const cases = Number(casesArg);
if (!Number.isInteger(cases) || cases < 0 || models.length === 0) {
  console.error('usage: node bench/zero-latency-server.ts CASES MODEL...');
  process.exit(2);
}
const server = new Sandbox({models: models.map((id) => resolveSimModel(id, id === 'fixed' ? {ttftMs: 20, msPerToken: 0, latencySigma: 0} : {ttftMs: 0, msPerToken: 0}))});
for (let i = 0; i < cases; i++) server.answerKey.register(`Answer question ${i}`, {expected: `answer ${i}`, tags: [], group: 's'});
await server.listen();
console.log(server.url);

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
const lines = createInterface({input: process.stdin});
lines.on('line', () => {
  const {user, system} = process.cpuUsage();
  console.log((user + system) / 1e6);
});
lines.on('close', stop);
