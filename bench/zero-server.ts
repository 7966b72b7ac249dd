// The zero-latency OpenAI-compatible server for bench/overhead.ts, in its own process so that the
// measured client (assay or the bare loop) and the server do not share one thread. Prints its URL on
// the first line of stdout; each line read on stdin is answered with the CPU seconds used so far.
import {createInterface} from 'node:readline';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';

const server = new Sandbox({models: [resolveSimModel('zero-a', {ttftMs: 0, msPerToken: 0}), resolveSimModel('zero-b', {ttftMs: 0, msPerToken: 0}), resolveSimModel('fixed', {ttftMs: 20, msPerToken: 0, latencySigma: 0})]});
await server.listen();
console.log(server.url);
const lines = createInterface({input: process.stdin});
lines.on('line', () => {
  const {user, system} = process.cpuUsage();
  console.log((user + system) / 1e6);
});
lines.on('close', () => void server.close().then(() => process.exit(0)));
