import {spawn, type ChildProcess} from 'node:child_process';
import {appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {request} from 'node:http';
import {join} from 'node:path';
import {chromium, type Browser} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, makeProject, runCli} from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const provider = (accuracy: number) =>
  `id: sim\ntype: sandbox\nwire: openai\nmodels:\n  - label: steady\n    model: steady\n    pricing: { inputPerMTok: 1, outputPerMTok: 2 }\n    sim: { accuracy: 1 }\n  - label: drifting\n    model: drifting\n    pricing: { inputPerMTok: 1, outputPerMTok: 2 }\n    sim: { accuracy: ${accuracy} }\n`;
const CASES = JSON.stringify(Array.from({length: 40}, (_, i) => ({id: `q${i}`, a: i, expected: String(i * 3), tags: i % 2 ? 'odd' : 'even'})));

/** GET with an explicit Host header (fetch would not let a test forge one). */
function get(port: number, path: string, host = `127.0.0.1:${port}`, method = 'GET'): Promise<{status: number; body: string; headers: Record<string, unknown>}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, path, method, headers: {host}}, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({status: res.statusCode!, body, headers: res.headers}));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('assay report and assay view', () => {
  let project: string;
  let reports: string;
  let runA: string;
  let runB: string;
  let browser: Browser;
  let viewer: ChildProcess;
  let port: number;

  beforeAll(async () => {
    project = makeProject({
      'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], sandbox: {latencyScale: 0}}),
      'p.yaml': provider(1),
      's.yaml': 'id: triple\nprompt: "Three times {{a}}?"\ndataset: cases.json\ngraders:\n  - type: exact-match\n',
      'cases.json': CASES,
    });
    const launching = chromium.launch({executablePath: CHROMIUM, headless: true, args: FLAGS});
    const a = await runCli(['run', '--json', '--min-pass-rate', '0.5'], {cwd: project});
    expect(a.code, a.stderr).toBe(0);
    runA = JSON.parse(a.stdout).dir;
    writeFileSync(join(project, 'p.yaml'), provider(0.3));
    const b = await runCli(['run', '--json'], {cwd: project});
    expect(b.code, b.stderr).toBe(0);
    runB = JSON.parse(b.stdout).dir;
    reports = join(project, 'reports');
    // A run still being written: its journal has some results, its lock names a live process (this one).
    const live = join(reports, 'zz-live');
    mkdirSync(live);
    const lines = readFileSync(join(runB, 'results.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(live, 'results.jsonl'), `${lines.slice(0, 10).join('\n')}\n`);
    writeFileSync(join(live, 'run.json'), JSON.stringify({...JSON.parse(readFileSync(join(runB, 'run.json'), 'utf8')), id: 'zz-live', startedAt: '2999-01-01T00:00:00Z', endedAt: null}));
    writeFileSync(join(live, 'run.lock'), `${process.pid}\n`);
    writeFileSync(join(reports, 'secret.txt'), 'not for the browser');

    viewer = spawn(process.execPath, [BIN, 'view', reports, '--port', '0', '--json'], {cwd: project, stdio: ['ignore', 'pipe', 'pipe']});
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      viewer.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!).url);
      });
      viewer.on('exit', (code) => reject(new Error(`viewer exited ${code}`)));
    });
    port = Number(new URL(url).port);
    browser = await launching;
  });
  afterAll(async () => {
    viewer?.kill('SIGTERM');
    await browser?.close();
  });

  it('report DIR rebuilds one run\'s files (keeping its gate), to --out', async () => {
    const out = join(project, 'rebuilt');
    const r = await runCli(['report', runA, '--out', out, '--json'], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['summary.json', 'results.csv', 'summary.csv', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    const rebuilt = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const original = JSON.parse(readFileSync(join(runA, 'summary.json'), 'utf8'));
    expect(rebuilt.models).toEqual(original.models);
    expect(rebuilt.gate).toEqual(original.gate);
    expect(rebuilt.gate.pass).toBe(true);
  });

  it('report A B compares: a regression on the drifting model, none on the steady one; --fail-on-regression exits 1', async () => {
    const out = join(project, 'cmp');
    const r = await runCli(['report', runA, runB, '--out', out, '--json'], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    const {comparisons} = JSON.parse(r.stdout);
    const rows = comparisons[0].rows as Array<{model: string; group: {kind: string; name: string | null}; regression: boolean; shared: number; diff: {method: string}}>;
    const drifting = rows.find((x) => x.model === 'drifting' && x.group.kind === 'all')!;
    expect(drifting.regression).toBe(true);
    expect(drifting.shared).toBe(40);
    expect(drifting.diff.method).toBe('paired');
    expect(rows.find((x) => x.model === 'steady' && x.group.kind === 'all')!.regression).toBe(false);
    expect(rows.some((x) => x.group.kind === 'tag' && x.group.name === 'odd')).toBe(true);
    expect(readFileSync(join(out, 'comparison.html'), 'utf8')).toContain('REGRESSION');
    const failing = await runCli(['report', runA, runB, '--out', out, '--fail-on-regression'], {cwd: project});
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('REGRESSION');
    const bad = await runCli(['report', join(project, 'nope')], {cwd: project});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no such run directory');
  });

  it('answers only requests addressed to it, only GET/HEAD, and only the runs\' reports', async () => {
    expect((await get(port, '/')).status).toBe(200);
    expect((await get(port, '/', `localhost:${port}`)).status).toBe(200);
    expect((await get(port, '/', 'evil.example')).status).toBe(403);
    expect((await get(port, '/', `evil.example:${port}`)).status).toBe(403);
    expect((await get(port, '/', '127.0.0.1:1')).status).toBe(403);
    expect((await get(port, '/', `127.0.0.1:${port}`, 'POST')).status).toBe(405);
    const id = runA.split('/').pop()!;
    for (const path of ['/secret.txt', '/runs/..%2Fsecret.txt/', `/runs/${id}/..%2F..%2Fsecret.txt`, `/runs/${id}/run.lock`, '/runs/%2e%2e/secret.txt', `/runs/${id}/../../p.yaml`, '/runs/..%2F..%2Fp.yaml/report.html']) {
      const res = await get(port, path);
      expect(res.status, path).not.toBe(200);
      expect(res.body).not.toContain('not for the browser');
    }
    const summary = await get(port, `/runs/${id}/summary.json`);
    expect(summary.status).toBe(200);
    expect(summary.headers['access-control-allow-origin']).toBeUndefined();
    expect(summary.headers['x-content-type-options']).toBe('nosniff');
  });

  it('lists runs newest first, opens one, compares two, in Chromium', async () => {
    const page = await browser.newPage({viewport: {width: 1200, height: 800}});
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('request', (req) => {
      if (!req.url().startsWith(`http://127.0.0.1:${port}/`)) problems.push(`request to ${req.url()}`);
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    const ids = await page.$$eval('#runs tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-run')));
    expect(ids).toEqual(['zz-live', runB.split('/').pop(), runA.split('/').pop()]);
    expect(await page.textContent('#runs tbody tr:nth-child(1)')).toContain('running');
    expect(await page.textContent('#runs tbody tr:nth-child(3)')).toMatch(/(steady|drifting) 100.0%/);

    await page.click(`#runs tbody tr:nth-child(3) a`);
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.getAttribute('#leaderboard tr[data-model="steady"] td[data-metric="passRate"]', 'data-value')).toBe('1');

    await page.goto(`http://127.0.0.1:${port}/`);
    await page.selectOption('#compare-a', runA.split('/').pop()!);
    await page.selectOption('#compare-b', runB.split('/').pop()!);
    await page.click('#compare-form button');
    await page.waitForSelector('.comparison-table');
    expect(await page.textContent('tr[data-model="drifting"][data-group="all"]')).toContain('REGRESSION');
    expect(await page.textContent('tr[data-model="steady"][data-group="all"]')).not.toContain('REGRESSION');
    const png = await page.screenshot();
    expect(png.readUInt32BE(16)).toBe(1200);
    expect(png.length).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a running run\'s partial results and picks up new ones on reload', async () => {
    const first = await get(port, '/runs/zz-live/');
    expect(first.status).toBe(200);
    expect(first.body).toContain('running: partial results');
    expect(first.body).toMatch(/<meta http-equiv="refresh" content="5">/);
    expect(first.body).toContain('10 results');
    const lines = readFileSync(join(runB, 'results.jsonl'), 'utf8').trim().split('\n');
    appendFileSync(join(reports, 'zz-live', 'results.jsonl'), `${lines.slice(10, 25).join('\n')}\n`);
    const second = await get(port, '/runs/zz-live/');
    expect(second.body).toContain('25 results');
    const listed = JSON.parse((await get(port, '/api/runs')).body).runs.find((r: {id: string}) => r.id === 'zz-live');
    expect(listed).toMatchObject({status: 'running', n: 25});
  });
});
