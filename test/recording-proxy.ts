import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

export interface RecordedBody {
  path: string;
  body: Record<string, unknown>;
}

/**
 * A loopback proxy in front of a server (the sandbox) that keeps each request body exactly as the SDK
 * sent it, so a test can check the wire shape the real SDK produced without mocking it.
 */
export class RecordingProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Forwards every request to `upstreamUrl`; each non-empty body is pushed onto `bodies` as it arrives. */
  static async start(upstreamUrl: string, bodies: RecordedBody[]): Promise<RecordingProxy> {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      if (raw.length) bodies.push({path: req.url ?? '', body: JSON.parse(raw.toString('utf8'))});
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
      const upstream = await fetch(`${upstreamUrl}${req.url}`, {method: req.method, headers, body: raw.length ? raw : undefined});
      res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([k]) => k !== 'content-length' && k !== 'transfer-encoding')));
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new RecordingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
