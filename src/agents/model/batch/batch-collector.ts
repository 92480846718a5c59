/**
 * Collects requests into batches: the first request of a batch starts a
 * `flushMs` timer, and the batch is handed over when the timer fires, when it
 * holds `maxBatch` requests, or before a request would take it over
 * `maxBytes`. A request can leave the batch until it is handed over.
 */
import type { Timers } from "../../../time.js";

/** What the collector needs to know about a request. */
export interface Collectable {
  /** Size of the request as sent, in bytes. */
  bytes: number;
}

export interface BatchCollectorOptions<T extends Collectable> {
  flushMs: number;
  maxBatch: number;
  maxBytes: number;
  timers: Timers;
  /** Receives each batch, never empty, in order. */
  onFlush: (items: T[]) => void;
}

/** See the module comment. */
export class BatchCollector<T extends Collectable> {
  private items: T[] = [];
  private bytes = 0;
  private timer: unknown = null;

  constructor(private readonly options: BatchCollectorOptions<T>) {}

  /** Adds a request to the batch being collected. */
  add(item: T): void {
    if (this.items.length > 0 && this.bytes + item.bytes > this.options.maxBytes) this.flush();
    this.items.push(item);
    this.bytes += item.bytes;
    if (this.items.length >= this.options.maxBatch) this.flush();
    else if (this.timer === null) this.timer = this.options.timers.setTimeout(() => this.flush(), this.options.flushMs);
  }

  /** Takes a request out of the batch being collected; false when it was already handed over. */
  remove(item: T): boolean {
    const index = this.items.indexOf(item);
    if (index < 0) return false;
    this.items.splice(index, 1);
    this.bytes -= item.bytes;
    if (this.items.length === 0) this.stopTimer();
    return true;
  }

  /** Requests waiting for the batch to be handed over. */
  get pending(): number {
    return this.items.length;
  }

  /** Hands the batch being collected over now (nothing happens when it is empty). */
  flush(): void {
    this.stopTimer();
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.bytes = 0;
    this.options.onFlush(items);
  }

  private stopTimer(): void {
    if (this.timer === null) return;
    this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
