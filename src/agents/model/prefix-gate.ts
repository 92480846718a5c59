/**
 * Holds requests that share a cached prefix until the first of them has
 * started answering.
 *
 * The API makes a cache entry usable only once the response of the request
 * that writes it has begun. N same-shaped agents started together would each
 * miss the cache and each pay the cache-write price for the same prefix. The
 * gate lets the first request of a prefix go at once and holds its siblings
 * until that response begins (they then read the prefix from the cache), or
 * until `holdMs` passes, whichever comes first.
 */
import { realTimers, systemClock, type Clock, type Timers } from "../../time.js";
import { ModelCallAbortedError } from "./errors.js";

export interface PrefixGateOptions {
  /** Longest hold in ms; 0 disables the gate. Default 5000. */
  holdMs?: number;
  /**
   * How long a prefix counts as cached after its last use. Default 5 minutes,
   * the default cache TTL, which each cache read refreshes.
   */
  openTtlMs?: number;
  clock?: Clock;
  timers?: Timers;
}

/**
 * Why a request passed the gate: it was the first of its prefix (`first`),
 * the prefix was already answering (`open`), it was held until the first
 * response began (`began`) or until the cap (`cap`), it took over from a first
 * request that failed (`promoted`), or the gate is off (`disabled`).
 */
export type PassReason = "first" | "open" | "began" | "cap" | "promoted" | "disabled";

/** A request's permission to go; report its progress back through it. */
export interface GatePass {
  readonly reason: PassReason;
  /** Call when this request's response has begun: the prefix is now cached. */
  began(): void;
  /** Call when this request has finished, whatever the outcome. */
  done(): void;
}

interface Waiter {
  release(reason: PassReason, lead: boolean): void;
}

interface PrefixState {
  phase: "leading" | "open";
  waiters: Waiter[];
  lastUsed: number;
}

const DISABLED: GatePass = Object.freeze({ reason: "disabled" as const, began() {}, done() {} });

/** See the module comment. One gate is shared by every request of a client. */
export class PrefixGate {
  readonly holdMs: number;
  private readonly openTtlMs: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly prefixes = new Map<string, PrefixState>();

  constructor(options: PrefixGateOptions = {}) {
    this.holdMs = options.holdMs ?? 5000;
    this.openTtlMs = options.openTtlMs ?? 5 * 60_000;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? realTimers;
  }

  /**
   * Resolves when the request for `key` may go. Rejects with
   * `ModelCallAbortedError` if `signal` aborts while it is held.
   */
  enter(key: string, signal?: AbortSignal): Promise<GatePass> {
    if (this.holdMs <= 0 || key === "") return Promise.resolve(DISABLED);
    if (signal?.aborted) return Promise.reject(new ModelCallAbortedError(0));
    this.pruneExpired();
    const state = this.prefixes.get(key);
    if (state === undefined) {
      this.prefixes.set(key, { phase: "leading", waiters: [], lastUsed: this.clock.now() });
      return Promise.resolve(this.pass(key, "first", true));
    }
    if (state.phase === "open") {
      state.lastUsed = this.clock.now();
      return Promise.resolve(this.pass(key, "open", false));
    }
    return this.hold(key, state, signal);
  }

  /** Number of requests currently held for `key` (for progress and tests). */
  heldCount(key: string): number {
    return this.prefixes.get(key)?.waiters.length ?? 0;
  }

  private hold(key: string, state: PrefixState, signal: AbortSignal | undefined): Promise<GatePass> {
    return new Promise<GatePass>((resolve, reject) => {
      const leave = () => {
        const index = state.waiters.indexOf(waiter);
        if (index >= 0) state.waiters.splice(index, 1);
        this.timers.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        release: (reason, lead) => {
          leave();
          resolve(this.pass(key, reason, lead));
        },
      };
      const onAbort = () => {
        leave();
        reject(new ModelCallAbortedError(0));
      };
      const timer = this.timers.setTimeout(() => waiter.release("cap", false), this.holdMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      state.waiters.push(waiter);
    });
  }

  private pass(key: string, reason: PassReason, lead: boolean): GatePass {
    let began = false;
    let finished = false;
    return {
      reason,
      began: () => {
        began = true;
        this.open(key);
      },
      done: () => {
        if (finished) return;
        finished = true;
        // A first request that failed before answering wrote no cache entry:
        // the next held sibling takes its place instead of all of them going.
        if (lead && !began) this.handOver(key);
      },
    };
  }

  private open(key: string): void {
    const state = this.prefixes.get(key);
    if (state === undefined) {
      this.prefixes.set(key, { phase: "open", waiters: [], lastUsed: this.clock.now() });
      return;
    }
    state.lastUsed = this.clock.now();
    if (state.phase === "open") return;
    state.phase = "open";
    for (const waiter of [...state.waiters]) waiter.release("began", false);
  }

  private handOver(key: string): void {
    const state = this.prefixes.get(key);
    if (state === undefined || state.phase !== "leading") return;
    const next = state.waiters[0];
    if (next === undefined) this.prefixes.delete(key);
    else next.release("promoted", true);
  }

  private pruneExpired(): void {
    const now = this.clock.now();
    for (const [key, state] of this.prefixes) {
      if (state.phase === "open" && now - state.lastUsed > this.openTtlMs) this.prefixes.delete(key);
    }
  }
}
