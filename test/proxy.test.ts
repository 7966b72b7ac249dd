import {createServer, request, type Server} from 'node:http';
import {connect, type AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {makeProject, runCli} from './helpers.ts';

// A plain forward proxy on loopback that counts what passes through it.
let proxied: string[] = [];
const proxy: Server = createServer((req, res) => {
  proxied.push(req.url!);
  const target = new URL(req.url!);
  const upstream = request({host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers}, (r) => {
    res.writeHead(r.statusCode!, r.headers);
    r.pipe(res);
  });
  req.pipe(upstream);
});
// undici tunnels through proxies with CONNECT, for http targets too.
proxy.on('connect', (req, socket, head) => {
  proxied.push(`CONNECT ${req.url}`);
  const [host, port] = req.url!.split(':');
  const upstream = connect(Number(port), host!, () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
});
const sandbox = new Sandbox({anyModel: true, latencyScale: 0});
let proxyUrl = '';

beforeAll(async () => {
  await sandbox.listen();
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.close();
  await sandbox.close();
});

function project(): string {
  return makeProject({
    'bench.config.yaml': `providers:\n  - id: remote\n    type: openai\n    baseURL: ${sandbox.url}/v1\n    auth: { env: PROXY_TEST_KEY }\n    models: [{label: m, model: m}]\nsuites: [s.yaml]\n`,
    's.yaml': 'id: s\nprompt: "Say hi"\ncases: [{expected: hi}, {id: two, expected: ho}]\n',
  });
}

describe('proxies', () => {
  it('sends every provider request through HTTP_PROXY', async () => {
    proxied = [];
    const r = await runCli(['run'], {cwd: project(), env: {HTTP_PROXY: proxyUrl, NO_PROXY: '', PROXY_TEST_KEY: 'k-1234567'}});
    expect(r.code).toBe(0);
    const port = new URL(sandbox.url).port;
    expect(proxied.length).toBeGreaterThan(0);
    expect(proxied.every((u) => u === `CONNECT 127.0.0.1:${port}` || u.includes(`127.0.0.1:${port}/`))).toBe(true);
  });

  it('honours NO_PROXY', async () => {
    proxied = [];
    const r = await runCli(['run'], {cwd: project(), env: {HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1', PROXY_TEST_KEY: 'k-1234567'}});
    expect(r.code).toBe(0);
    expect(proxied).toHaveLength(0);
  });
});
