// Writes datasets/traffic.jsonl: a small traffic sample in the shape gateways log OpenAI chat requests
// ({id, model, messages, metadata, expected, tags}, and the `response` production returned, with its
// latency and cost), built from the shipped datasets so the sandbox's simulated models know the
// answers. Production's logged answer is wrong on every seventh request. Run: node scripts/make-traffic-sample.mjs
import {readFileSync, writeFileSync} from 'node:fs';

const system = {role: 'system', content: 'You are a concise assistant. Answer exactly as asked.'};
const lines = [];
const push = (id, prompt, expected, tag) => {
  const n = lines.length;
  const answer = n % 7 === 3 ? `${expected}?` : expected;
  const response = {model: 'gpt-4o-mini-2024-07-18', choices: [{index: 0, message: {role: 'assistant', content: answer}, finish_reason: 'stop'}], usage: {prompt_tokens: 24 + (n % 5), completion_tokens: 2}};
  lines.push({id, model: 'gpt-4o-mini', messages: [system, {role: 'user', content: prompt}], temperature: 0, metadata: {route: tag}, expected, tags: [tag], response, latency_ms: 300 + ((n * 37) % 200), cost_usd: 0.0000048});
};

for (const c of JSON.parse(readFileSync('datasets/capitals.json', 'utf8'))) {
  push(`req-${c.id}`, `What is the capital of ${c.country}? Answer with the city name only.`, c.expected, 'factual');
}
const csv = (file) => readFileSync(file, 'utf8').trim().split('\n').slice(1).map((row) => row.split(','));
for (const [id, a, op, b, expected] of csv('datasets/arithmetic.csv')) {
  push(`req-${id}`, `Compute ${a} ${op} ${b}. Answer with the number only.`, expected, 'math');
}
writeFileSync('datasets/traffic.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
console.log(`wrote datasets/traffic.jsonl (${lines.length} requests)`);
