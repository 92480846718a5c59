/**
 * A fake `AgentRunner` the test drives by hand: every agent waits until the
 * test settles it, so ordering and concurrency are observed without timers.
 */
import type { AgentRequest, AgentResult, AgentRunner, JsonValue, TokenUsage } from "../../src/runtime/types.js";

interface Pending {
  request: AgentRequest;
  resolve: (result: AgentResult) => void;
  reject: (error: unknown) => void;
}

export const usage = (input: number, output = 0): TokenUsage => ({ input, output, cacheWrite: 0, cacheRead: 0 });

export class ControlledRunner implements AgentRunner {
  /** Every request, in the order agents started. */
  readonly started: AgentRequest[] = [];
  private readonly pending: Pending[] = [];
  private waiters: (() => void)[] = [];
  running = 0;
  maxRunning = 0;

  run(request: AgentRequest): Promise<AgentResult> {
    this.started.push(request);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise<AgentResult>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      for (const wake of this.waiters.splice(0)) wake();
    }).finally(() => {
      this.running--;
    });
  }

  /** Prompts of the agents currently waiting. */
  waiting(): string[] {
    return this.pending.map((p) => p.request.prompt);
  }

  /** Resolves once `n` agents have started in total. */
  async untilStarted(n: number): Promise<void> {
    while (this.started.length < n) await new Promise<void>((wake) => this.waiters.push(wake));
  }

  /** Resolves once an agent whose prompt includes `text` is waiting. */
  async untilWaiting(text: string): Promise<void> {
    while (!this.pending.some((p) => p.request.prompt.includes(text))) await new Promise<void>((wake) => this.waiters.push(wake));
  }

  /** Finishes the waiting agent whose prompt includes `text`. */
  succeed(text: string, output: JsonValue = `done: ${text}`, spent: TokenUsage = usage(100, 10), costUsd = 0.01): void {
    this.take(text).resolve({ output, usage: spent, costUsd });
  }

  fail(text: string, error: unknown = new Error(`agent for "${text}" failed`)): void {
    this.take(text).reject(error);
  }

  private take(text: string): Pending {
    const index = this.pending.findIndex((p) => p.request.prompt.includes(text));
    if (index < 0) throw new Error(`no waiting agent matches "${text}"; waiting: ${this.waiting().join(" | ")}`);
    return this.pending.splice(index, 1)[0] as Pending;
  }
}

/** A runner that answers at once with `answer(request)`. */
export function answeringRunner(answer: (request: AgentRequest) => JsonValue | Promise<JsonValue>, spent: TokenUsage = usage(100, 10)): AgentRunner & { calls: AgentRequest[] } {
  const calls: AgentRequest[] = [];
  return {
    calls,
    async run(request) {
      calls.push(request);
      return { output: await answer(request), usage: spent, costUsd: 0.01 };
    },
  };
}
