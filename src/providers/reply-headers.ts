/**
 * A reply's headers with fetch's Headers API, over the name/value list node:http has already parsed
 * (`rawHeaders`). A real Headers validates and appends each header of every reply, and sorts them
 * again when read; the SDKs read a few by name and list them once (for a debug line they then drop).
 * This reads the list as it is, grouping it by name on first use, and turns into a real Headers
 * (inherited, so `instanceof Headers` holds) only if something changes it.
 */
export class ReplyHeaders extends Headers {
  #raw: readonly string[];
  #byName: Map<string, string[]> | null = null;
  #real = false;

  constructor(rawHeaders: readonly string[]) {
    super();
    this.#raw = rawHeaders;
  }

  /** Values by lower-case name, in the order received. */
  #grouped(): Map<string, string[]> {
    if (this.#byName) return this.#byName;
    const byName = new Map<string, string[]>();
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const values = byName.get(name);
      if (values) values.push(raw[i + 1]!);
      else byName.set(name, [raw[i + 1]!]);
    }
    this.#byName = byName;
    return byName;
  }

  /** From here on the inherited Headers holds them: for the rare caller that changes a reply's headers. */
  #materialize(): void {
    if (this.#real) return;
    for (const [name, values] of this.#grouped()) for (const value of values) super.append(name, value);
    this.#real = true;
  }

  override get(name: string): string | null {
    if (this.#real) return super.get(name);
    return this.#grouped().get(name.toLowerCase())?.join(', ') ?? null;
  }

  override has(name: string): boolean {
    if (this.#real) return super.has(name);
    return this.#grouped().has(name.toLowerCase());
  }

  override getSetCookie(): string[] {
    if (this.#real) return super.getSetCookie();
    return [...(this.#grouped().get('set-cookie') ?? [])];
  }

  override append(name: string, value: string): void {
    this.#materialize();
    super.append(name, value);
  }

  override set(name: string, value: string): void {
    this.#materialize();
    super.set(name, value);
  }

  override delete(name: string): void {
    this.#materialize();
    super.delete(name);
  }

  /** As fetch lists them: sorted by name, values of one name joined, except set-cookie's, one by one. */
  override *entries(): HeadersIterator<[string, string]> {
    if (this.#real) {
      yield* super.entries();
      return;
    }
    const grouped = this.#grouped();
    for (const name of [...grouped.keys()].sort()) {
      const values = grouped.get(name)!;
      if (name === 'set-cookie') for (const value of values) yield [name, value];
      else yield [name, values.join(', ')];
    }
  }

  override *keys(): HeadersIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  override *values(): HeadersIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  override forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  override [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }
}
