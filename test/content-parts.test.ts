import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadConfig} from '../src/config/load-config.ts';
import {InputError} from '../src/core/errors.ts';
import type {Result} from '../src/core/types.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {registerSuiteAnswers} from '../src/sandbox/start-sandbox.ts';
import {makeProject, ROOT} from './helpers.ts';
import {RecordingProxy, type RecordedBody} from './recording-proxy.ts';

// Images and files through the real SDKs over real HTTP, on each wire, streamed and not: a recording
// proxy keeps each body as the SDK sent it; the sandbox checks each part's shape and bytes.
const sandbox = new Sandbox({models: [resolveSimModel('right', {accuracy: 1})], latencyScale: 0});
const bodies: RecordedBody[] = [];
let proxy: RecordingProxy;
let proxyUrl: string;

beforeAll(async () => {
  await sandbox.listen();
  proxy = await RecordingProxy.start(sandbox.url, bodies);
  proxyUrl = proxy.url;
});
afterAll(async () => {
  await proxy.close();
  await sandbox.close();
});

const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
const PNG = readFileSync(join(ROOT, 'datasets/images/red.png'));

const models = (wire: string) => [`{label: ${wire}-stream, model: right, stream: true}`, `{label: ${wire}-json, model: right, stream: false}`].join(', ');

function project(suite: string, files: Record<string, string> = {}): string {
  const dir = makeProject({
    'bench.config.yaml': `providers:
  - {id: oa, type: openai, baseURL: "${proxyUrl}/v1", auth: {env: ASSAY_PARTS_KEY}, models: [${models('oa')}]}
  - {id: an, type: anthropic, baseURL: "${proxyUrl}", auth: {env: ASSAY_PARTS_KEY}, models: [${models('an')}]}
  - {id: ge, type: gemini, baseURL: "${proxyUrl}", auth: {env: ASSAY_PARTS_KEY}, models: [${models('ge')}]}
suites: [s.yaml]
`,
    's.yaml': suite,
    'docs/report.pdf': PDF,
    ...files,
  });
  mkdirSync(join(dir, 'img'), {recursive: true});
  copyFileSync(join(ROOT, 'datasets/images/red.png'), join(dir, 'img/red.png'));
  return dir;
}

async function run(cwd: string): Promise<Result[]> {
  process.env.ASSAY_PARTS_KEY = 'k-parts';
  try {
    registerSuiteAnswers(sandbox, await loadConfig(undefined, {cwd}));
    return (await runBenchmark({cwd, noCache: true})).results;
  } finally {
    delete process.env.ASSAY_PARTS_KEY;
  }
}

const SUITE = `id: s
messages:
  - role: user
    content:
      - {type: text, text: "What colour is this, and what does the {{doc}} say? "}
      - {type: image, path: "img/{{image}}"}
      - {type: file, path: "docs/{{doc}}.pdf"}
cases:
  - {id: one, image: red.png, doc: report, expected: "red; nothing"}
graders: [{type: exact-match}]
`;

describe('images and files on each wire, streamed and not', () => {
  let results: Result[] = [];
  beforeAll(async () => {
    bodies.length = 0;
    sandbox.log.length = 0;
    results = await run(project(SUITE));
  });

  it('every wire answers the case it was registered with (the sandbox read the same bytes back), streamed and not', () => {
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r.status, `${r.model}: ${r.error?.message}`).toBe('ok');
      expect(r.output).toBe('red; nothing');
      expect(r.pass).toBe(true);
    }
  });

  it('sends the parts in each API\'s native shape, in order', () => {
    const png = PNG.toString('base64');
    const pdf = Buffer.from(PDF).toString('base64');
    const text = {text: 'What colour is this, and what does the report say? '};
    const openai = bodies.find((b) => /chat\/completions/.test(b.path))!.body.messages as Array<{content: unknown}>;
    expect(openai[0]!.content).toEqual([
      {type: 'text', ...text},
      {type: 'image_url', image_url: {url: `data:image/png;base64,${png}`}},
      {type: 'file', file: {filename: 'report.pdf', file_data: `data:application/pdf;base64,${pdf}`}},
    ]);
    const anthropic = bodies.find((b) => /\/v1\/messages/.test(b.path))!.body.messages as Array<{content: unknown}>;
    expect(anthropic[0]!.content).toEqual([
      {type: 'text', ...text},
      {type: 'image', source: {type: 'base64', media_type: 'image/png', data: png}},
      {type: 'document', source: {type: 'base64', media_type: 'application/pdf', data: pdf}},
    ]);
    const gemini = bodies.find((b) => /generatecontent/i.test(b.path))!.body.contents as Array<{parts: unknown}>;
    expect(gemini[0]!.parts).toEqual([text, {inlineData: {mimeType: 'image/png', data: png}}, {inlineData: {mimeType: 'application/pdf', data: pdf}}]);
  });

  it('counts the image and the document into input tokens, as the sandbox reported them', () => {
    const logged = sandbox.log.filter((e) => e.media);
    expect(logged).toHaveLength(6);
    for (const e of logged) expect(e.media!.map((m) => [m.type, m.mediaType, m.bytes])).toEqual([['image', 'image/png', PNG.length], ['file', 'application/pdf', PDF.length]]);
    for (const r of results) {
      // 258 per image, 258 + 1 per KB for a document, beside the text
      expect(r.inputTokens).toBeGreaterThan(258 + 259);
      expect(r.inputTokens).toBe(logged.find((e) => e.model === 'right')!.usage!.inputTokens);
    }
  });
});

describe('media by URL and as data', () => {
  it('an image URL is sent as a URL on each wire; data: URLs and base64 with a media type are sent as bytes', async () => {
    bodies.length = 0;
    const png = PNG.toString('base64');
    const results = await run(
      project(`id: s
messages:
  - role: user
    content:
      - {type: image, url: "https://images.example/cat.png"}
      - {type: image, data: "data:image/png;base64,${png}"}
      - {type: image, data: "${png}", mediaType: image/png}
      - {type: text, text: "Same picture?"}
cases: [{id: u, expected: "no"}]
graders: [{type: exact-match}]
`),
    );
    for (const r of results) expect(r.pass, `${r.model}: ${r.error?.message ?? r.output}`).toBe(true);
    const openai = (bodies.find((b) => /chat\/completions/.test(b.path))!.body.messages as Array<{content: Array<Record<string, unknown>>}>)[0]!.content;
    expect(openai[0]).toEqual({type: 'image_url', image_url: {url: 'https://images.example/cat.png'}});
    expect(openai[2]).toEqual({type: 'image_url', image_url: {url: `data:image/png;base64,${png}`}});
    const anthropic = (bodies.find((b) => /\/v1\/messages/.test(b.path))!.body.messages as Array<{content: Array<Record<string, unknown>>}>)[0]!.content;
    expect(anthropic[0]).toEqual({type: 'image', source: {type: 'url', url: 'https://images.example/cat.png'}});
    const gemini = (bodies.find((b) => /generatecontent/i.test(b.path))!.body.contents as Array<{parts: Array<Record<string, unknown>>}>)[0]!.parts;
    expect(gemini[0]).toEqual({fileData: {fileUri: 'https://images.example/cat.png', mimeType: 'image/png'}});
  });

  it('a PDF by URL: Anthropic and Gemini take it; OpenAI chat completions refuse it before sending, as a bad request', async () => {
    const results = await run(project(`id: s\nmessages:\n  - role: user\n    content: [{type: file, url: "https://docs.example/a.pdf"}, {type: text, text: "Summarise."}]\ncases: [{id: f, expected: "ok"}]\n`));
    for (const r of results.filter((x) => !x.model.startsWith('oa-'))) expect(r.status, r.error?.message).toBe('ok');
    for (const r of results.filter((x) => x.model.startsWith('oa-'))) {
      expect(r.error).toMatchObject({class: 'bad-request'});
      expect(r.error!.message).toContain('take a file as data, not a URL');
      expect(r.attempts).toBe(1);
    }
  });
});

describe('what is refused', () => {
  it('a missing file is an input error naming the dataset line, the case and the path, before anything is sent', async () => {
    const cwd = project(SUITE.replace('cases:\n  - {id: one, image: red.png, doc: report, expected: "red; nothing"}', 'dataset: cases.csv'), {'cases.csv': 'id,image,doc,expected\nok,red.png,report,x\ngone,blue.png,report,x\n'});
    const error = await loadConfig(undefined, {cwd}).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as InputError).message).toMatch(/^cases\.csv:3 field "messages\[0\]\.content\[1\]\.path": case "gone": cannot read image img\/blue\.png: ENOENT/);
  });

  it('a type the APIs do not take, and parts outside a user turn, at load time', async () => {
    const bmp = project(SUITE.replace('img/{{image}}', 'img/red.bmp'));
    await expect(loadConfig(undefined, {cwd: bmp})).rejects.toThrow(/image "img\/red\.bmp" is not a PNG, JPEG, WebP or GIF image/);
    const system = project(`id: s\nmessages:\n  - {role: system, content: [{type: text, text: hi}]}\n  - {role: user, content: hi}\ncases: [{id: a}]\n`);
    await expect(loadConfig(undefined, {cwd: system})).rejects.toThrow(/content parts \(images, files\) belong to a user turn/);
  });

  it('the sandbox refuses bytes that are not what the part says they are (400, as the APIs do)', async () => {
    const cwd = project(SUITE, {});
    writeFileSync(join(cwd, 'img/red.png'), Buffer.from('GIF89a not really a png'));
    const results = await run(cwd);
    for (const r of results) {
      expect(r.error).toMatchObject({class: 'bad-request', status: 400});
      expect(r.error!.message).toMatch(/does not match its media type image\/png/);
    }
  });
});
