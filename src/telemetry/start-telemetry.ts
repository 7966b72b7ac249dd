import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Attributes, Context, Histogram, Counter, Gauge, Span, Tracer} from '@opentelemetry/api';
import {AssayError, InputError} from '../core/errors.ts';
import {DURATION_BUCKETS_S, GEN_AI, metricAttributes, spanAttributes, TOKEN_BUCKETS} from './gen-ai-attributes.ts';
import type {RequestSample} from './request-sample.ts';

export interface TelemetryOptions {
  /** Serve Prometheus text at http://127.0.0.1:PORT/metrics; 0 picks a free port (see Telemetry.metricsUrl). */
  metricsPort?: number;
  /** OTLP/HTTP collector base URL (http://127.0.0.1:4318): spans go to /v1/traces, metrics to /v1/metrics, as JSON. */
  otlpEndpoint?: string;
  /** Sent with every OTLP request (e.g. an auth header); OTEL_EXPORTER_OTLP_HEADERS is read as well. */
  otlpHeaders?: Record<string, string>;
  /** How often metrics are pushed to the collector (default 15 s; shutdown pushes the last ones). */
  otlpMetricsIntervalMs?: number;
  /** service.name of the resource (default OTEL_SERVICE_NAME, else "assay"). */
  serviceName?: string;
  /** Told once per kind of export failure (telemetry never stops a run); setting it routes OpenTelemetry's process-wide diagnostic errors here until shutdown. */
  onWarning?: (message: string) => void;
}

/** A span that covers a whole run, load test or monitor cycle; requests recorded under it become its children. */
export interface TelemetryScope {
  end(attributes?: Attributes): void;
}

export interface Telemetry {
  /** Where Prometheus can scrape, or null without metricsPort. */
  metricsUrl: string | null;
  /** Opens a parent span (`assay run`, `assay load`, …) for the requests recorded with it. */
  startScope(name: string, attributes?: Attributes): TelemetryScope;
  /** One provider request: a client span with the GenAI attributes, and its duration and token metrics. */
  recordRequest(sample: RequestSample, scope?: TelemetryScope): void;
  /** A monitor cycle's per-model figures, as gauges, and its drifts, as a counter. */
  recordCycle(points: {model: string; n: number; errors: number; graded: number; passed: number; latencyP95Ms: number | null}[], drifts: {model: string; metric: string}[]): void;
  /** Pushes what is pending to the collector and closes /metrics. */
  shutdown(): Promise<void>;
}

/** The SDK logs some errors as JSON of the Error (stack and all): the message alone is what the user needs. */
function diagMessage(raw: string): string {
  try {
    const parsed = JSON.parse(raw) as {message?: unknown};
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // plain text already
  }
  return raw.split('\n')[0]!;
}

/** An export (retries included) gives up after this: a collector that is down delays a command's exit by at most about this much. */
const EXPORT_TIMEOUT_MS = 5000;

/** Thrown when telemetry cannot start (a taken port, a bad endpoint). */
export class TelemetryError extends AssayError {
  constructor(message: string, opts: {hint?: string; cause?: unknown} = {}) {
    super('telemetry', message, {...opts, exitCode: 2});
    this.name = 'TelemetryError';
  }
}

function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InputError(`--otlp-endpoint is not a URL: ${JSON.stringify(endpoint)}`, {hint: 'give the collector\'s OTLP/HTTP base URL, e.g. http://127.0.0.1:4318'});
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(`--otlp-endpoint must be http:// or https://, got ${url.protocol}`, {hint: 'OTLP/HTTP collectors listen on port 4318 by default'});
  if (url.username || url.password) throw new InputError('--otlp-endpoint carries credentials in its URL', {hint: 'pass them as a header: OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer …"'});
  return endpoint.replace(/\/+$/, '');
}

class Scope implements TelemetryScope {
  readonly span: Span;
  readonly context: Context;
  constructor(span: Span, context: Context) {
    this.span = span;
    this.context = context;
  }
  end(attributes?: Attributes): void {
    if (attributes) this.span.setAttributes(attributes);
    this.span.end();
  }
}

/**
 * Starts the metrics endpoint and the OTLP exporters. The OpenTelemetry packages are imported here, on
 * first use, so a command without telemetry flags never loads them (they add ~20 MB of code to a process).
 * Nothing is registered globally: a library caller's own OpenTelemetry setup is left alone.
 */
export async function startTelemetry(opts: TelemetryOptions): Promise<Telemetry> {
  const endpoint = opts.otlpEndpoint === undefined ? undefined : checkEndpoint(opts.otlpEndpoint);
  if (opts.metricsPort !== undefined && !(Number.isInteger(opts.metricsPort) && opts.metricsPort >= 0 && opts.metricsPort <= 65535)) {
    throw new InputError(`--metrics-port must be a port number (0 picks a free one), got ${opts.metricsPort}`);
  }
  const [api, {MeterProvider, PeriodicExportingMetricReader}, {TracerProvider, BatchSpanProcessor}, {resourceFromAttributes}] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
  ]);
  const warned = new Set<string>();
  const warn = (raw: string) => {
    const message = diagMessage(raw);
    const key = message.slice(0, 60);
    if (warned.has(key)) return;
    warned.add(key);
    opts.onWarning?.(`telemetry: ${message}`);
  };
  // The SDK reports failed exports through its diagnostic logger, which is process-wide: it is taken
  // over only when the caller asked to hear about failures (the CLI does), and only errors, once each.
  if (opts.onWarning) api.diag.setLogger({error: (message: string) => warn(message), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {}}, api.DiagLogLevel.ERROR);
  const resource = resourceFromAttributes({'service.name': opts.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'assay'});

  const readers = [];
  let server: Server | null = null;
  let metricsUrl: string | null = null;
  if (opts.metricsPort !== undefined) {
    const {PrometheusExporter} = await import('@opentelemetry/exporter-prometheus');
    // Our own server so it binds loopback only and a port of 0 can be read back.
    const prometheus = new PrometheusExporter({preventServerStart: true, withoutScopeInfo: true});
    readers.push(prometheus);
    server = createServer((req, res) => {
      if (req.method === 'GET' && new URL(req.url ?? '/', 'http://localhost').pathname === '/metrics') prometheus.getMetricsRequestHandler(req, res);
      else res.writeHead(404, {'content-type': 'text/plain'}).end('assay serves /metrics only\n');
    });
    await new Promise<void>((done, fail) => {
      server!.once('error', (error: NodeJS.ErrnoException) =>
        fail(new TelemetryError(`cannot serve /metrics on 127.0.0.1:${opts.metricsPort}: ${error.code ?? error.message}`, {hint: error.code === 'EADDRINUSE' ? 'pick another --metrics-port, or 0 for a free one' : undefined, cause: error})),
      );
      server!.listen(opts.metricsPort, '127.0.0.1', () => done());
    });
    metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }
  const headers = opts.otlpHeaders;
  if (endpoint) {
    const {OTLPMetricExporter} = await import('@opentelemetry/exporter-metrics-otlp-http');
    readers.push(new PeriodicExportingMetricReader({exporter: new OTLPMetricExporter({url: `${endpoint}/v1/metrics`, headers, timeoutMillis: EXPORT_TIMEOUT_MS}), exportIntervalMillis: opts.otlpMetricsIntervalMs ?? 15_000}));
  }
  const meterProvider = new MeterProvider({resource, readers});
  const meter = meterProvider.getMeter('assay');
  const duration: Histogram = meter.createHistogram('gen_ai.client.operation.duration', {unit: 's', description: 'GenAI operation duration', advice: {explicitBucketBoundaries: DURATION_BUCKETS_S}});
  const tokens: Histogram = meter.createHistogram('gen_ai.client.token.usage', {unit: '{token}', description: 'Measures number of input and output tokens used', advice: {explicitBucketBoundaries: TOKEN_BUCKETS}});
  const ttft: Histogram = meter.createHistogram('assay.client.time_to_first_token', {unit: 's', description: 'Streamed requests: request sent to the first text chunk', advice: {explicitBucketBoundaries: DURATION_BUCKETS_S}});
  const requests: Counter = meter.createCounter('assay.requests', {description: 'Provider requests that ended, by outcome (error.type set on failures)'});
  const graded: Counter = meter.createCounter('assay.graded', {description: 'Graded answers, by assay.pass'});
  const cost: Counter = meter.createCounter('assay.cost_usd', {description: 'Cost of the requests in US dollars'});
  const passRate: Gauge = meter.createGauge('assay.monitor.pass_rate', {description: 'Share of graded answers that passed in the last monitor cycle'});
  const errorRate: Gauge = meter.createGauge('assay.monitor.error_rate', {description: 'Share of requests that failed in the last monitor cycle'});
  const latencyP95: Gauge = meter.createGauge('assay.monitor.latency_p95', {unit: 's', description: 'p95 latency of the last monitor cycle'});
  const drifts: Counter = meter.createCounter('assay.monitor.drifts', {description: 'Drifts the monitor found, by model and metric'});

  let tracerProvider: InstanceType<typeof TracerProvider> | null = null;
  let tracer: Tracer | null = null;
  if (endpoint) {
    const {OTLPTraceExporter} = await import('@opentelemetry/exporter-trace-otlp-http');
    tracerProvider = new TracerProvider({resource, spanProcessors: [new BatchSpanProcessor({
            exporter: new OTLPTraceExporter({url: `${endpoint}/v1/traces`, headers, timeoutMillis: EXPORT_TIMEOUT_MS}),
            scheduledDelayMillis: 2000,
            // A fast run ends thousands of requests between two exports; the default queue (2048) would drop spans.
            maxQueueSize: 32_768,
            maxExportBatchSize: 1024,
          })]});
    tracer = tracerProvider.getTracer('assay');
  }

  return {
    metricsUrl,
    startScope(name, attributes) {
      if (!tracer) return {end: () => {}};
      const span = tracer.startSpan(name, {attributes});
      return new Scope(span, api.trace.setSpan(api.ROOT_CONTEXT, span));
    },
    recordRequest(sample, scope) {
      const attributes = metricAttributes(sample);
      const seconds = Math.max(0, sample.endEpochMs - sample.startEpochMs) / 1000;
      duration.record(seconds, attributes);
      requests.add(1, attributes);
      if (sample.inputTokens !== null) tokens.record(sample.inputTokens, {...attributes, [GEN_AI.tokenType]: 'input'});
      if (sample.outputTokens !== null) tokens.record(sample.outputTokens, {...attributes, [GEN_AI.tokenType]: 'output'});
      if (sample.ttftMs !== null) ttft.record(sample.ttftMs / 1000, attributes);
      if (sample.costUsd !== null && sample.costUsd > 0) cost.add(sample.costUsd, attributes);
      if (sample.pass !== null) graded.add(1, {...attributes, 'assay.pass': sample.pass});
      if (!tracer) return;
      const parent = scope instanceof Scope ? scope.context : api.ROOT_CONTEXT;
      const span = tracer.startSpan(`chat ${sample.model}`, {kind: api.SpanKind.CLIENT, startTime: sample.startEpochMs, attributes: spanAttributes(sample)}, parent);
      // The class only: an error's message can quote the request or the provider's settings.
      if (sample.errorType) span.setStatus({code: api.SpanStatusCode.ERROR, message: sample.errorType});
      span.end(sample.endEpochMs);
    },
    recordCycle(points, found) {
      for (const p of points) {
        const attributes = {'assay.model': p.model, 'assay.command': 'monitor'};
        if (p.graded > 0) passRate.record(p.passed / p.graded, attributes);
        if (p.n > 0) errorRate.record(p.errors / p.n, attributes);
        if (p.latencyP95Ms !== null) latencyP95.record(p.latencyP95Ms / 1000, attributes);
      }
      for (const d of found) drifts.add(1, {'assay.model': d.model, 'assay.metric': d.metric});
    },
    async shutdown() {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()]);
      if (server) {
        const closed = new Promise<void>((done) => server!.close(() => done()));
        server.closeAllConnections();
        await closed;
      }
      if (opts.onWarning) api.diag.disable();
    },
  };
}
