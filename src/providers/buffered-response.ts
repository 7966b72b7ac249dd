/**
 * A successful reply that has already been read whole, with fetch's Response API over its bytes.
 *
 * A real Response copies the bytes into a web stream on construction and reads them back through
 * it for text() and json(); for a small JSON reply that is a large part of the CPU a request costs.
 * This reads the bytes directly, and builds a real Response only when something asks for what only
 * one has (the body as a stream, a blob, form data). The SDKs read a reply through text() or json()
 * (and status, ok, headers), never through instanceof Response.
 */
export class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected = false;
  readonly type: ResponseType = 'basic';
  #bytes: Buffer;
  #used = false;
  #real: Response | null = null;

  constructor(bytes: Buffer, init: {status: number; statusText: string; headers: Headers}, url = '') {
    this.#bytes = bytes;
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = url;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The real Response, made on first need; from then on it holds the body and its state. */
  #response(): Response {
    if (!this.#real) {
      this.#real = new Response(this.#used ? null : (this.#bytes as unknown as BodyInit), {status: this.status, statusText: this.statusText, headers: this.headers});
      if (this.#used) void this.#real.body; // an already-read body stays read
    }
    return this.#real;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#response().body;
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used;
  }

  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes;
  }

  async text(): Promise<string> {
    if (this.#real) return this.#real.text();
    const bytes = this.#take();
    // fetch decodes UTF-8 and drops a byte order mark.
    const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return bytes.toString('utf8', bom ? 3 : 0);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real) return this.#real.arrayBuffer();
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    if (this.#real) return this.#real.bytes();
    return new Uint8Array(await this.arrayBuffer());
  }

  blob(): Promise<Blob> {
    return this.#response().blob();
  }

  formData(): Promise<FormData> {
    return this.#response().formData();
  }

  clone(): BufferedResponse | Response {
    if (this.#real) return this.#real.clone();
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, {status: this.status, statusText: this.statusText, headers: new Headers(this.headers)}, this.url);
  }
}
