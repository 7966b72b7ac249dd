import type {SimCapacity} from './sim-model.ts';

/**
 * One simulated deployment's batch slots: requests beyond `maxConcurrent` wait in FIFO order (their
 * time to first token grows), and beyond `queueLimit` waiting ones are refused, as a vLLM or TGI
 * server behind a bounded queue does.
 */
export class CapacityGate {
  private activeCount = 0;
  private readonly waiting: Array<() => void> = [];

  readonly capacity: SimCapacity;

  constructor(capacity: SimCapacity) {
    this.capacity = capacity;
  }

  /** Requests holding a slot (prefilling or decoding). */
  get active(): number {
    return this.activeCount;
  }

  /** How slow one token is now, as a multiple of the model's msPerToken. */
  get slowdown(): number {
    return 1 + this.capacity.slowdownPerActive * Math.max(0, this.activeCount - 1);
  }

  /**
   * A slot, or null when the queue is full (answer `overloadStatus`). The returned release must be
   * called once (later calls do nothing); `cancelled` resolves early when the client goes away while queued.
   */
  async acquire(cancelled: Promise<void>): Promise<(() => void) | null> {
    if (this.activeCount < this.capacity.maxConcurrent && this.waiting.length === 0) {
      this.activeCount++;
      return this.releaser();
    }
    if (this.waiting.length >= this.capacity.queueLimit) return null;
    let wake!: () => void;
    const turn = new Promise<void>((resolve) => (wake = resolve));
    this.waiting.push(wake);
    const gone = await Promise.race([turn.then(() => false), cancelled.then(() => true)]);
    if (!gone) return this.releaser();
    const at = this.waiting.indexOf(wake);
    if (at !== -1) this.waiting.splice(at, 1);
    else this.releaser()(); // woken as it left: the slot reserved for it passes on
    return null;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.activeCount--;
      this.handOn();
    };
  }

  /** A freed slot goes to the longest waiter at once (counted as taken), so no newcomer can jump the queue. */
  private handOn(): void {
    if (this.activeCount >= this.capacity.maxConcurrent) return;
    const next = this.waiting.shift();
    if (!next) return;
    this.activeCount++;
    next();
  }
}
