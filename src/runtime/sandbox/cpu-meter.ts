import { CONTROL_BUDGET_MS, CONTROL_BURST, CONTROL_RUNNING } from "./protocol.js";

/**
 * Counts the time the guest actually executes: the sum of its synchronous
 * bursts (evaluations, promise jobs), never the time it waits for the host.
 * Its `shouldInterrupt` is the engine's interrupt handler. Each burst is also
 * published in the shared control block, so the host's watchdog can stop a
 * burst the interrupt handler cannot reach (a long native call).
 */
export class CpuMeter {
  private usedMs = 0;
  private burstStartedAt = 0;
  private depth = 0;
  /** True once the guest has used its CPU time; stays true. */
  exceeded = false;

  constructor(
    private readonly limitMs: number,
    private readonly control: Int32Array,
    // A monotonic clock of this thread: the limit is about real elapsed execution.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs `fn` as guest execution time. Nested calls count once. */
  measure<T>(fn: () => T): T {
    if (this.depth++ === 0) {
      this.burstStartedAt = this.now();
      Atomics.store(this.control, CONTROL_BUDGET_MS, Math.max(0, Math.ceil(this.limitMs - this.usedMs)));
      Atomics.add(this.control, CONTROL_BURST, 1);
      Atomics.store(this.control, CONTROL_RUNNING, 1);
    }
    try {
      return fn();
    } finally {
      if (--this.depth === 0) {
        this.usedMs += this.now() - this.burstStartedAt;
        Atomics.store(this.control, CONTROL_RUNNING, 0);
      }
    }
  }

  /** The engine's interrupt handler: true stops the guest (uncatchably). */
  readonly shouldInterrupt = (): boolean => {
    // Outside a burst the sandbox is setting itself up: not the script's time.
    if (!this.exceeded && this.depth > 0 && this.usedMs + (this.now() - this.burstStartedAt) > this.limitMs) this.exceeded = true;
    return this.exceeded;
  };
}
