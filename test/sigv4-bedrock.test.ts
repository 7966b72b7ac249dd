import {createHash} from 'node:crypto';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadedProvider} from '../src/config/load-config.ts';
import {createProviderClient} from '../src/providers/create-client.ts';
import type {ProviderError} from '../src/providers/provider-error.ts';
import {signingKey, signV4} from '../src/providers/sigv4.ts';

// The published AWS Signature Version 4 examples (IAM ListUsers, and the test suite's get-vanilla).
const credentials = {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'};
const now = new Date('2015-08-30T12:36:00Z');

describe('SigV4 against the published AWS examples', () => {
  it('derives the documented signing key', () => {
    expect(signingKey(credentials.secretAccessKey, '20150830', 'us-east-1', 'iam').toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  });

  it('IAM ListUsers: canonical request hash, string to sign and signature', () => {
    const signed = signV4({
      method: 'GET',
      url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
      headers: {'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'},
      body: '',
      credentials,
      region: 'us-east-1',
      service: 'iam',
      now,
    });
    expect(createHash('sha256').update(signed.canonicalRequest).digest('hex')).toBe('f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(signed.stringToSign).toBe('AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(signed.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('get-vanilla', () => {
    const signed = signV4({method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {}, body: '', credentials, region: 'us-east-1', service: 'service', now});
    expect(signed.signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });
});

// A stand-in for Bedrock's Converse endpoint on loopback: it re-derives the signature of what it
// received and answers 403 (as AWS does) when it does not match.
let received: Array<{path: string; body: unknown; authorization: string}> = [];
/** What the stand-in answers a Converse request with (null: a text answer). */
let reply: unknown = null;
const bedrock: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    const headers: Record<string, string> = {'content-type': String(req.headers['content-type'] ?? '')};
    if (req.headers['x-amz-security-token']) headers['x-amz-security-token'] = String(req.headers['x-amz-security-token']);
    const when = String(req.headers['x-amz-date']);
    const resigned = signV4({
      method: req.method!,
      url,
      headers: Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'x-amz-security-token')),
      body,
      credentials: {...credentials, sessionToken: headers['x-amz-security-token']},
      region: 'eu-west-3',
      service: 'bedrock',
      now: new Date(`${when.slice(0, 4)}-${when.slice(4, 6)}-${when.slice(6, 8)}T${when.slice(9, 11)}:${when.slice(11, 13)}:${when.slice(13, 15)}Z`),
    });
    received.push({path: url.pathname, body: body ? JSON.parse(body) : null, authorization: String(req.headers.authorization)});
    if (resigned.authorization !== req.headers.authorization) {
      res.writeHead(403, {'content-type': 'application/json'});
      return res.end(JSON.stringify({message: 'The request signature we calculated does not match the signature you provided.'}));
    }
    res.writeHead(200, {'content-type': 'application/json'});
    if (url.pathname === '/foundation-models') return res.end(JSON.stringify({modelSummaries: [{modelId: 'anthropic.claude-3-haiku-20240307-v1:0'}]}));
    res.end(JSON.stringify(reply ?? {output: {message: {role: 'assistant', content: [{text: 'Bonjour'}]}}, usage: {inputTokens: 12, outputTokens: 2, totalTokens: 14}, stopReason: 'end_turn'}));
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => bedrock.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(bedrock.address() as AddressInfo).port}`;
});
afterAll(() => bedrock.close());

const provider = {id: 'bedrock', type: 'bedrock', auth: {region: 'eu-west-3'}, models: [], file: 'bedrock.yaml'} as unknown as LoadedProvider;

describe('bedrock (Converse over SigV4)', () => {
  it('sends a signed Converse request and reads text, usage and stop reason', async () => {
    received = [];
    const c = await createProviderClient({...provider, baseURL: base}, {warn: () => {}, env: {AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: 'session-token-xyz'}});
    const r = await c.complete('anthropic.claude-3-haiku-20240307-v1:0', {
      messages: [{role: 'system', content: 'Be brief.'}, {role: 'user', content: 'Say hello in French'}],
      params: {maxTokens: 20, temperature: 0},
      stream: false,
      timeoutMs: 5000,
    });
    expect(r).toMatchObject({text: 'Bonjour', inputTokens: 12, outputTokens: 2, finishReason: 'stop', finishReasonRaw: 'end_turn'});
    expect(received[0]!.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(received[0]!.body).toEqual({messages: [{role: 'user', content: [{text: 'Say hello in French'}]}], system: [{text: 'Be brief.'}], inferenceConfig: {maxTokens: 20, temperature: 0}});
    expect(received[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, /);
    expect(await c.listModels()).toEqual(['anthropic.claude-3-haiku-20240307-v1:0']);
  });

  it('a wrong secret is an auth error that does not print the secret', async () => {
    const c = await createProviderClient({...provider, baseURL: base}, {warn: () => {}, env: {AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-the-secret-123456'}});
    const error = (await c.complete('m', {messages: [{role: 'user', content: 'hi'}], params: {}, stream: false, timeoutMs: 5000}).catch((e: unknown) => e)) as ProviderError;
    expect(error.errorClass).toBe('auth');
    expect(error.status).toBe(403);
    expect(`${error.message} ${error.hint}`).not.toContain('not-the-secret-123456');
  });

  it('missing AWS credentials are a clear input error', async () => {
    await expect(createProviderClient({...provider, baseURL: base}, {warn: () => {}, env: {}})).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set/);
  });
});

const env = {AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey};
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFElEQVR42mPgIhEwjGoY1TB8NQAA9bMeAeVRnTAAAAAASUVORK5CYII=';
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64');
const weather = {name: 'get_weather', description: 'Current weather for a city.', parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']}};

describe('bedrock tools, images and documents (Converse wire format)', () => {
  it('sends toolConfig, image and document blocks, and reads the toolUse blocks of the answer', async () => {
    received = [];
    reply = {
      output: {message: {role: 'assistant', content: [{text: 'Checking.'}, {toolUse: {toolUseId: 'tooluse_1', name: 'get_weather', input: {city: 'Paris'}}}, {toolUse: {toolUseId: 'tooluse_2', name: 'get_weather', input: {city: 'Lyon'}}}]}},
      usage: {inputTokens: 300, outputTokens: 20, totalTokens: 320},
      stopReason: 'tool_use',
    };
    const c = await createProviderClient({...provider, baseURL: base}, {warn: () => {}, env});
    const r = await c.complete('m', {
      messages: [{role: 'user', content: 'Weather where this was taken? [image x][file y]', parts: [
        {type: 'text', text: 'Weather where this was taken? '},
        {type: 'image', mediaType: 'image/png', data: PNG, name: '../datasets/images/red.png'},
        {type: 'file', mediaType: 'application/pdf', data: PDF, name: 'docs/trip_notes.v2.pdf'},
        {type: 'image', mediaType: 'image/jpeg', url: 's3://bucket/photo.jpg', name: 's3://bucket/photo.jpg'},
      ]}],
      params: {tools: [weather], toolChoice: {name: 'get_weather'}},
      stream: false,
      timeoutMs: 5000,
    });
    expect(received[0]!.body).toEqual({
      messages: [{role: 'user', content: [
        {text: 'Weather where this was taken? '},
        {image: {format: 'png', source: {bytes: PNG}}},
        {document: {format: 'pdf', name: 'trip-notes-v2', source: {bytes: PDF}}},
        {image: {format: 'jpeg', source: {s3Location: {uri: 's3://bucket/photo.jpg'}}}},
      ]}],
      inferenceConfig: {},
      toolConfig: {tools: [{toolSpec: {name: 'get_weather', description: 'Current weather for a city.', inputSchema: {json: weather.parameters}}}], toolChoice: {tool: {name: 'get_weather'}}},
    });
    expect(r).toMatchObject({text: 'Checking.', toolCalls: [{name: 'get_weather', arguments: {city: 'Paris'}}, {name: 'get_weather', arguments: {city: 'Lyon'}}], finishReasonRaw: 'tool_use', inputTokens: 300});
  });

  it('a multi-turn case: toolUse in the assistant turn, consecutive results in one user turn (JSON as json, text as text); auto and required choices', async () => {
    received = [];
    reply = null;
    const c = await createProviderClient({...provider, baseURL: base}, {warn: () => {}, env});
    const messages = [
      {role: 'user' as const, content: 'Weather in Paris and Lyon?'},
      {role: 'assistant' as const, content: '', toolCalls: [{id: 'call_1_0', name: 'get_weather', arguments: {city: 'Paris'}}, {id: 'call_1_1', name: 'get_weather', arguments: {city: 'Lyon'}}]},
      {role: 'tool' as const, content: '{"tempC": 21}', toolCallId: 'call_1_0', toolName: 'get_weather'},
      {role: 'tool' as const, content: 'sunny', toolCallId: 'call_1_1', toolName: 'get_weather'},
    ];
    const r = await c.complete('m', {messages, params: {tools: [weather], toolChoice: 'auto'}, stream: false, timeoutMs: 5000});
    expect(r.toolCalls).toEqual([]);
    expect((received[0]!.body as {messages: unknown}).messages).toEqual([
      {role: 'user', content: [{text: 'Weather in Paris and Lyon?'}]},
      {role: 'assistant', content: [{toolUse: {toolUseId: 'call_1_0', name: 'get_weather', input: {city: 'Paris'}}}, {toolUse: {toolUseId: 'call_1_1', name: 'get_weather', input: {city: 'Lyon'}}}]},
      {role: 'user', content: [{toolResult: {toolUseId: 'call_1_0', content: [{json: {tempC: 21}}]}}, {toolResult: {toolUseId: 'call_1_1', content: [{text: 'sunny'}]}}]},
    ]);
    expect((received[0]!.body as {toolConfig: {toolChoice: unknown}}).toolConfig.toolChoice).toEqual({auto: {}});
    await c.complete('m', {messages: messages.slice(0, 1), params: {tools: [weather], toolChoice: 'required'}, stream: false, timeoutMs: 5000});
    expect((received[1]!.body as {toolConfig: {toolChoice: unknown}}).toolConfig.toolChoice).toEqual({any: {}});
  });

  it('toolChoice none has no Converse form: the tools go without a choice, with one warning; an http(s) URL part is a bad request, never sent', async () => {
    received = [];
    reply = null;
    const warnings: string[] = [];
    const c = await createProviderClient({...provider, baseURL: base}, {warn: (w) => warnings.push(w.message), env});
    for (let i = 0; i < 2; i++) await c.complete('m', {messages: [{role: 'user', content: 'hi'}], params: {tools: [weather], toolChoice: 'none'}, stream: false, timeoutMs: 5000});
    expect((received[0]!.body as {toolConfig: unknown}).toolConfig).toEqual({tools: [{toolSpec: {name: 'get_weather', description: 'Current weather for a city.', inputSchema: {json: weather.parameters}}}]});
    expect(warnings).toEqual(['Bedrock Converse has no tool choice "none": the tools are sent and the model decides']);
    const error = (await c
      .complete('m', {messages: [{role: 'user', content: '[image z]', parts: [{type: 'image', mediaType: 'image/png', url: 'https://images.example/cat.png', name: 'https://images.example/cat.png'}]}], params: {}, stream: false, timeoutMs: 5000})
      .catch((e: unknown) => e)) as ProviderError;
    expect(error.errorClass).toBe('bad-request');
    expect(error.message).toMatch(/bytes or an s3:\/\/ location, not a URL/);
    expect(received).toHaveLength(2);
  });
});
