/**
 * An in-process counting semaphore whose waiters are served by priority
 * (lower first; FIFO among equals) and can give up when their signal aborts.
 * p-limit is FIFO only and cannot drop a waiter, which a cancelled run needs
 * and fairness between runs needs.
 */
import { checkInteger } from "../errors.js";

interface Waiter {
  priority: number;
  seq: number;
  grant: () => void;
}

export class PrioritySemaphore {
  readonly limit: number;
  private held = 0;
  private seq = 0;
  private readonly waiters: Waiter[] = [];

  constructor(limit: number) {
    this.limit = checkInteger("limit", limit, 1);
  }

  /** Slots taken now. */
  get active(): number {
    return this.held;
  }

  /** Callers waiting for a slot. */
  get pending(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with the release function once a slot is granted; rejects with
   * the signal's reason (and leaves the line) when `signal` aborts first.
   */
  acquire(priority: number, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.held < this.limit && this.waiters.length === 0) {
      this.held += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const at = this.waiters.findIndex((w) => w.priority > priority);
      this.waiters.splice(at < 0 ? this.waiters.length : at, 0, waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so `held` does not change.
      if (next) next.grant();
      else this.held -= 1;
    };
  }
}
