/**
 * An in-process counting semaphore whose waiters are served by priority
 * (lower first; FIFO among equals) and can give up when their signal aborts:
 * p-queue holds the line, each slot is a queued task that lasts until its
 * holder releases it. Kept here: the acquire/release shape the runners use,
 * and that an abort only takes a waiter out of the line, never frees a slot
 * already granted (that agent is still running until it notices the abort).
 */
import PQueue from "p-queue";
import { checkInteger } from "../errors.js";

export class PrioritySemaphore {
  readonly limit: number;
  private readonly queue: PQueue;

  constructor(limit: number) {
    this.limit = checkInteger("limit", limit, 1);
    this.queue = new PQueue({ concurrency: this.limit });
  }

  /** Slots taken now. */
  get active(): number {
    return this.queue.pending;
  }

  /** Callers waiting for a slot. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Resolves with the release function once a slot is granted; rejects with
   * the signal's reason (and leaves the line) when `signal` aborts first.
   */
  acquire(priority: number, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    // p-queue would also end a running task on abort, freeing its slot early; it only sees aborts while waiting.
    const waiting = new AbortController();
    const forward = () => waiting.abort(signal?.reason);
    signal?.addEventListener("abort", forward, { once: true });
    return new Promise((resolve, reject) => {
      this.queue
        .add(
          () =>
            new Promise<void>((free) => {
              signal?.removeEventListener("abort", forward);
              let released = false;
              resolve(() => {
                if (released) return;
                released = true;
                free();
              });
            }),
          // p-queue runs the highest priority first.
          { priority: -priority, signal: waiting.signal },
        )
        .catch((error: unknown) => {
          signal?.removeEventListener("abort", forward);
          reject(error);
        });
    });
  }
}
