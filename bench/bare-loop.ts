// The yardstick for bench/overhead.ts's throughput part, in its own process: a bare keep-alive HTTP
// loop at a fixed concurrency against the zero-latency server. Usage: node bench/bare-loop.ts URL
// TOTAL CONCURRENCY [MODEL]. Prints one JSON line: requests per second, the CPU seconds this process used
// while sending (start-up excluded), and the median latency (request written to reply read, in ms).
import {request, Agent} from 'node:http';

const [base, totalArg, concurrencyArg, model = 'zero-a'] = process.argv.slice(2);
const total = Number(totalArg);
const concurrency = Number(concurrencyArg);
const agent = new Agent({keepAlive: true, maxSockets: concurrency});
const body = JSON.stringify({model, messages: [{role: 'user', content: 'Answer question 1'}]});
const url = new URL(`${base}/v1/chat/completions`);
let next = 0;
const latencies: number[] = [];
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(
  Array.from({length: concurrency}, async () => {
    while (next++ < total) {
      const sentAt = performance.now();
      await new Promise<void>((ok, bad) => {
        const req = request({host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: {'content-type': 'application/json', authorization: 'Bearer x', 'content-length': Buffer.byteLength(body)}}, (res) => {
          res.resume();
          res.on('end', ok);
        });
        req.on('error', bad);
        req.end(body);
      });
      latencies.push(performance.now() - sentAt);
    }
  }),
);
const wallS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
agent.destroy();
latencies.sort((a, b) => a - b);
console.log(JSON.stringify({rate: total / wallS, wallS, cpuS: (cpu.user + cpu.system) / 1e6, p50Ms: latencies[Math.floor(latencies.length / 2)]}));
