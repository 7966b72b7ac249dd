import {readFileSync} from 'node:fs';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {join, resolve} from 'node:path';
import {compareRuns} from '../report/compare-runs.ts';
import {renderComparisonHtml} from '../report/comparison-html.ts';
import {loadRun} from '../report/load-run.ts';
import {renderReportHtml} from '../report/report-html.ts';
import {listComparisons, listRuns, type RunListing} from './list-runs.ts';
import {listLoadRuns} from '../load/list-load-runs.ts';
import {renderRunsIndexHtml} from './runs-index-html.ts';

export interface ViewServerOptions {
  /** The reports directory whose runs are served. */
  dir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How often a running run's page reloads itself. */
  refreshSeconds?: number;
}

export interface ViewServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The only files of a run the viewer hands out, by name: nothing else in the directory is reachable. */
const RUN_FILES: Record<string, string> = {
  'summary.json': 'application/json; charset=utf-8',
  'summary.csv': 'text/csv; charset=utf-8',
  'results.csv': 'text/csv; charset=utf-8',
  'results.jsonl': 'application/x-ndjson; charset=utf-8',
  'run.json': 'application/json; charset=utf-8',
};

/** A load run's files the viewer hands out. */
const LOAD_FILES: Record<string, string> = {
  'load.html': 'text/html; charset=utf-8',
  'load.json': 'application/json; charset=utf-8',
  'load.csv': 'text/csv; charset=utf-8',
  'run.json': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  // Pages carry their own script/style policy in a meta tag; these parts only work as a header.
  'Content-Security-Policy': "frame-ancestors 'none'; base-uri 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body)});
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const text = (res: ServerResponse, status: number, message: string) => send(res, status, 'text/plain; charset=utf-8', `${message}\n`);

/**
 * `assay view`: serves a reports directory on 127.0.0.1 only. Every request must name this server
 * in its Host header (a page elsewhere that rebinds DNS to 127.0.0.1 gets 403), only GET and HEAD
 * are answered, and runs are looked up by name in the directory's listing: no request path ever
 * becomes a file path. Content is static or derived from the runs; nothing is executed or fetched.
 */
export async function startViewServer(opts: ViewServerOptions): Promise<ViewServer> {
  const reportsDir = resolve(opts.dir);
  const refreshSeconds = opts.refreshSeconds ?? 5;
  let allowedHosts = new Set<string>();

  const findRun = (id: string): RunListing | undefined => listRuns(reportsDir).find((r) => r.id === id);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) return text(res, 403, 'forbidden: unexpected Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return text(res, 405, 'method not allowed');
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return '\u0000';
      }
    });
    if (parts.length === 0) return send(res, 200, 'text/html; charset=utf-8', renderRunsIndexHtml(reportsDir, listRuns(reportsDir), listComparisons(reportsDir), listLoadRuns(reportsDir)));
    if (parts[0] === 'load' && (parts.length === 2 || parts.length === 3)) {
      // Load runs are looked up by name in their listing too; only their own files are served.
      const run = listLoadRuns(reportsDir).find((r) => r.id === parts[1]);
      if (!run) return text(res, 404, 'no such load test');
      if (parts.length === 2 && !url.pathname.endsWith('/')) {
        res.writeHead(301, {...SECURITY_HEADERS, Location: `/load/${encodeURIComponent(run.id)}/`});
        return res.end();
      }
      const file = parts[2] ?? 'load.html';
      const type = Object.hasOwn(LOAD_FILES, file) ? LOAD_FILES[file] : undefined;
      if (!type) return text(res, 404, 'not found');
      try {
        return send(res, 200, type, readFileSync(join(run.dir, file)));
      } catch {
        return text(res, 404, 'not found');
      }
    }
    if (parts.length === 2 && parts[0] === 'comparisons') {
      // Looked up by name in the listing, like runs: the path never becomes a file path by itself.
      const name = listComparisons(reportsDir).find((c) => c === parts[1]);
      if (!name) return text(res, 404, 'no such comparison');
      return send(res, 200, 'text/html; charset=utf-8', readFileSync(join(reportsDir, name, 'comparison.html')));
    }
    if (parts.length === 2 && parts[0] === 'api' && parts[1] === 'runs') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({dir: reportsDir, runs: listRuns(reportsDir)}));
    if (parts.length === 1 && parts[0] === 'compare') {
      const a = findRun(url.searchParams.get('a') ?? '');
      const b = findRun(url.searchParams.get('b') ?? '');
      if (!a || !b) return text(res, 404, 'no such run');
      return send(res, 200, 'text/html; charset=utf-8', renderComparisonHtml([compareRuns(loadRun(a.dir), loadRun(b.dir))], {backHref: '/'}));
    }
    if (parts[0] === 'runs' && (parts.length === 2 || parts.length === 3)) {
      const run = findRun(parts[1]!);
      if (!run) return text(res, 404, 'no such run');
      if (parts.length === 2 && !url.pathname.endsWith('/')) {
        res.writeHead(301, {...SECURITY_HEADERS, Location: `/runs/${encodeURIComponent(run.id)}/`});
        return res.end();
      }
      const file = parts[2] ?? 'report.html';
      if (file === 'report.html') {
        // A run in progress (or one whose report was never written) is rendered from its journal now.
        if (run.status !== 'running') {
          try {
            return send(res, 200, 'text/html; charset=utf-8', readFileSync(join(run.dir, 'report.html')));
          } catch {
            // fall through: render it
          }
        }
        const loaded = loadRun(run.dir);
        const live = run.status === 'running' ? {refreshSeconds} : undefined;
        return send(res, 200, 'text/html; charset=utf-8', renderReportHtml(loaded.summary, loaded.results, {run: loaded.run, live, backHref: '/', tornLines: loaded.tornLines, ab: loaded.ab, media: loaded.media}));
      }
      const type = Object.hasOwn(RUN_FILES, file) ? RUN_FILES[file] : undefined;
      if (!type) return text(res, 404, 'not found');
      try {
        return send(res, 200, type, readFileSync(join(run.dir, file)));
      } catch {
        return text(res, 404, 'not found');
      }
    }
    return text(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      if (!res.headersSent) text(res, 500, `error: ${(error as Error).message}`);
      else res.destroy();
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    // 127.0.0.1 explicitly: listen(port) alone would take every interface.
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
