import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

/** An OTLP attribute as the JSON encoding writes it: {key, value: {stringValue | intValue | …}}. */
interface OtlpAttribute {
  key: string;
  value: {stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: {values: unknown[]}};
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status?: {code?: number; message?: string};
}
export interface OtlpMetric {
  name: string;
  unit?: string;
  histogram?: {dataPoints: Array<{count: string | number; attributes: OtlpAttribute[]}>};
  sum?: {dataPoints: Array<{asDouble?: number; asInt?: string | number; attributes: OtlpAttribute[]}>};
  gauge?: {dataPoints: Array<{asDouble?: number; asInt?: string | number; attributes: OtlpAttribute[]}>};
}

/** An attribute's value as a plain JS value. */
export function attr(attributes: OtlpAttribute[], key: string): unknown {
  const v = attributes.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.stringValue ?? v.doubleValue ?? v.boolValue ?? v.arrayValue;
}

/**
 * A stand-in OpenTelemetry collector on loopback: accepts OTLP/HTTP JSON on /v1/traces and /v1/metrics,
 * parses every body (a body that is not JSON fails the test through `errors`), and keeps the raw text
 * too, so a test can check what was never sent.
 */
export class OtlpCollector {
  readonly spans: OtlpSpan[] = [];
  readonly metrics: OtlpMetric[] = [];
  readonly bodies: string[] = [];
  readonly errors: string[] = [];
  readonly contentTypes = new Set<string>();
  readonly url: string;
  private readonly server: Server;
  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  static async start(): Promise<OtlpCollector> {
    let collector!: OtlpCollector;
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        collector.bodies.push(body);
        collector.contentTypes.add(String(req.headers['content-type']));
        try {
          const json = JSON.parse(body) as {resourceSpans?: Array<{scopeSpans: Array<{spans: OtlpSpan[]}>}>; resourceMetrics?: Array<{scopeMetrics: Array<{metrics: OtlpMetric[]}>}>};
          if (req.url === '/v1/traces') for (const r of json.resourceSpans ?? []) for (const s of r.scopeSpans) collector.spans.push(...s.spans);
          else if (req.url === '/v1/metrics') for (const r of json.resourceMetrics ?? []) for (const s of r.scopeMetrics) collector.metrics.push(...s.metrics);
          else collector.errors.push(`unexpected path ${req.url}`);
        } catch (error) {
          collector.errors.push(`${req.url}: not JSON (${(error as Error).message})`);
        }
        res.writeHead(200, {'content-type': 'application/json'}).end('{}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    collector = new OtlpCollector(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return collector;
  }

  /** The last export of a metric (exports are cumulative: the last one holds every point). */
  metric(name: string): OtlpMetric | undefined {
    return this.metrics.findLast((m) => m.name === name);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

/** Parses Prometheus text exposition into samples: name, labels and value. */
export function parsePrometheus(text: string): Array<{name: string; labels: Record<string, string>; value: number}> {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({name: m[1]!, labels, value: Number(m[3])});
  }
  return samples;
}
