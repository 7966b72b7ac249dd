import {afterEach, describe, expect, it} from 'vitest';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {startTelemetry, type Telemetry} from '../src/telemetry/start-telemetry.ts';
import {runEventTelemetry} from '../src/telemetry/telemetry-listeners.ts';
import {FAST_DEFAULT_CONFIG, makeProject} from './helpers.ts';
import {attr, OtlpCollector, parsePrometheus} from './otlp-collector.ts';

const SECRET = 'sk-telemetry-secret-0123456789';

describe('telemetry of a sandbox run (library): Prometheus /metrics and OTLP spans and metrics at a collector stand-in', () => {
  let collector: OtlpCollector | null = null;
  let telemetry: Telemetry | null = null;
  afterEach(async () => {
    await telemetry?.shutdown();
    await collector?.close();
    telemetry = null;
    collector = null;
  });

  it('counts every request on /metrics during the run, and exports one span per request under a run span with the GenAI attributes', async () => {
    collector = await OtlpCollector.start();
    telemetry = await startTelemetry({metricsPort: 0, otlpEndpoint: collector.url, otlpHeaders: {authorization: `Bearer ${SECRET}`}});
    expect(telemetry.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const listener = runEventTelemetry(telemetry, 'run');
    // Scraped while the run goes, from inside its event stream: the endpoint answers mid-run.
    let midRun: string | null = null;
    const scrapes: Promise<void>[] = [];
    let seen = 0;
    const outcome = await runBenchmark({
      cwd,
      suites: ['arithmetic'],
      models: ['sim-large', 'sim-flash'],
      onEvent: (event) => {
        listener.onEvent(event);
        if (event.type === 'result' && ++seen === 3) scrapes.push(fetch(telemetry!.metricsUrl!).then(async (r) => void (midRun = await r.text())));
      },
    });
    await Promise.all(scrapes);
    expect(midRun).toContain('gen_ai_client_operation_duration');

    const sent = outcome.results.filter((r) => !r.cached);
    expect(sent.length).toBeGreaterThan(4);
    const samples = parsePrometheus(await (await fetch(telemetry.metricsUrl!)).text());
    const counts = samples.filter((s) => s.name === 'gen_ai_client_operation_duration_count');
    expect(counts.reduce((n, s) => n + s.value, 0)).toBe(sent.length);
    const large = counts.find((s) => s.labels.assay_model === 'sim-large')!;
    expect(large.labels).toMatchObject({gen_ai_operation_name: 'chat', gen_ai_request_model: 'sim-large-2026', gen_ai_system: 'sandbox', assay_command: 'run'});
    const inputTokens = samples.filter((s) => s.name === 'gen_ai_client_token_usage_sum' && s.labels.gen_ai_token_type === 'input');
    expect(inputTokens.reduce((n, s) => n + s.value, 0)).toBe(sent.reduce((n, r) => n + (r.inputTokens ?? 0), 0));
    expect(samples.some((s) => s.name === 'assay_graded_total' && s.labels.assay_pass === 'true')).toBe(true);

    // Shutting down pushes the spans and the last metrics to the collector.
    listener.close();
    await telemetry.shutdown();
    telemetry = null;
    expect(collector.errors).toEqual([]);
    expect([...collector.contentTypes].every((t) => t.startsWith('application/json'))).toBe(true);
    const requestSpans = collector.spans.filter((s) => s.name.startsWith('chat '));
    expect(requestSpans).toHaveLength(sent.length);
    const runSpan = collector.spans.find((s) => s.name === 'assay run')!;
    expect(attr(runSpan.attributes, 'assay.run.id')).toBe(outcome.runId);
    for (const span of requestSpans) {
      expect(span.parentSpanId).toBe(runSpan.spanId);
      expect(span.traceId).toBe(runSpan.traceId);
      expect(span.kind).toBe(3); // SPAN_KIND_CLIENT
    }
    const first = sent[0]!;
    const span = requestSpans.find((s) => attr(s.attributes, 'assay.case.id') === first.caseId && attr(s.attributes, 'assay.model') === first.model)!;
    expect(span.name).toBe(`chat ${attr(span.attributes, 'gen_ai.request.model')}`);
    expect(attr(span.attributes, 'gen_ai.operation.name')).toBe('chat');
    expect(attr(span.attributes, 'gen_ai.system')).toBe('sandbox');
    expect(attr(span.attributes, 'gen_ai.usage.input_tokens')).toBe(first.inputTokens);
    expect(attr(span.attributes, 'gen_ai.usage.output_tokens')).toBe(first.outputTokens);
    // The span lasts the request's latency and ends when the result did.
    const durationMs = (Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6);
    expect(durationMs).toBeCloseTo(first.latencyMs!, 0);

    const duration = collector.metric('gen_ai.client.operation.duration')!;
    expect(duration.unit).toBe('s');
    expect(duration.histogram!.dataPoints.reduce((n, p) => n + Number(p.count), 0)).toBe(sent.length);
    expect(collector.metric('gen_ai.client.token.usage')!.histogram!.dataPoints.map((p) => attr(p.attributes, 'gen_ai.token.type'))).toEqual(expect.arrayContaining(['input', 'output']));
    // The exporter's auth header is sent as a header, never as an attribute or a label.
    expect(collector.bodies.join('\n')).not.toContain(SECRET);
  });

  it('marks a failed request with error.type on its span and its metrics', async () => {
    collector = await OtlpCollector.start();
    telemetry = await startTelemetry({otlpEndpoint: collector.url});
    const scope = telemetry.startScope('assay run');
    const base = {command: 'run' as const, label: 'm', model: 'gpt-x', providerType: 'openai', startEpochMs: 1_700_000_000_000, endEpochMs: 1_700_000_001_500, ttftMs: null, inputTokens: null, outputTokens: null, httpStatus: 429, costUsd: null, pass: null, runId: 'r1'};
    telemetry.recordRequest({...base, errorType: 'rate-limit'}, scope);
    scope.end();
    await telemetry.shutdown();
    telemetry = null;
    const span = collector.spans.find((s) => s.name === 'chat gpt-x')!;
    expect(attr(span.attributes, 'error.type')).toBe('rate-limit');
    expect(attr(span.attributes, 'gen_ai.system')).toBe('openai');
    expect(attr(span.attributes, 'http.response.status_code')).toBe(429);
    expect(span.status?.code).toBe(2); // STATUS_CODE_ERROR
    expect(Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6).toBe(1500);
    const point = collector.metric('gen_ai.client.operation.duration')!.histogram!.dataPoints[0]!;
    expect(attr(point.attributes, 'error.type')).toBe('rate-limit');
  });

  it('refuses a taken port and an endpoint with credentials in it, with a fix', async () => {
    telemetry = await startTelemetry({metricsPort: 0});
    const port = Number(new URL(telemetry.metricsUrl!).port);
    await expect(startTelemetry({metricsPort: port})).rejects.toMatchObject({code: 'telemetry', hint: expect.stringContaining('--metrics-port')});
    await expect(startTelemetry({otlpEndpoint: 'http://user:pw@127.0.0.1:4318'})).rejects.toMatchObject({code: 'bad-input', hint: expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS')});
    await expect(startTelemetry({otlpEndpoint: 'ftp://127.0.0.1'})).rejects.toMatchObject({code: 'bad-input'});
    const notFound = await fetch(telemetry.metricsUrl!.replace('/metrics', '/other'));
    expect(notFound.status).toBe(404);
  });

  it('tells once, without failing, when the collector cannot be reached', async () => {
    const gone = await OtlpCollector.start();
    const url = gone.url;
    await gone.close();
    const warnings: string[] = [];
    telemetry = await startTelemetry({otlpEndpoint: url, onWarning: (m) => warnings.push(m)});
    telemetry.recordRequest({command: 'run', label: 'm', model: 'x', providerType: 'openai', startEpochMs: 1, endEpochMs: 2, ttftMs: null, inputTokens: 1, outputTokens: 1, errorType: null, httpStatus: null, costUsd: null, pass: null, runId: 'r'});
    await telemetry.shutdown();
    telemetry = null;
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/^telemetry: /);
  });
});
