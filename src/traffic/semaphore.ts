/** A counting semaphore with a FIFO queue: acquire() resolves to a release function. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.available = capacity;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get inUse(): number {
    return this.capacity - this.available;
  }

  async acquire(): Promise<() => void> {
    if (this.available > 0) {
      this.available--;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    };
  }
}
