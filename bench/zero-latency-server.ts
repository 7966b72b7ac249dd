// A zero-latency OpenAI-compatible server on loopback for benchmarks that compare tools: the
// sandbox in a process of its own, so neither the measured tool nor the bench shares its event
// loop. Run: node bench/zero-latency-server.ts CASES MODEL...   Prints its base URL (…/v1) as one
// line once listening; stops on SIGTERM or when stdin closes.
// It registers the answer to `Answer question i` as `answer i` for i < CASES, so a simulated model
// answers those right or wrong (seeded per prompt and model, the same for every client) and
// exact-match grading has something to count.
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';

const [casesArg, ...models] = process.argv.slice(2);
const cases = Number(casesArg);
if (!Number.isInteger(cases) || cases < 0 || models.length === 0) {
  console.error('usage: node bench/zero-latency-server.ts CASES MODEL...');
  process.exit(2);
}
const server = new Sandbox({models: models.map((id) => resolveSimModel(id, {ttftMs: 0, msPerToken: 0}))});
for (let i = 0; i < cases; i++) server.answerKey.register(`Answer question ${i}`, {expected: `answer ${i}`, tags: [], group: 's'});
await server.listen();
console.log(server.baseURLFor('openai'));

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).resume();
