/**
 * Small pieces the in-process queue tests share: agent requests as the
 * scheduler sends them, results, run contexts, and a runner whose agents the
 * test starts and finishes by hand.
 */
import { ZERO_USAGE, type AgentRequest, type AgentResult, type AgentRunner, type TokenUsage } from "../../../src/runtime/types.js";
import type { CreateRunner, QueuedRunContext } from "../../../src/queue/agents/types.js";

export function request(runId: string, n: number, signal: AbortSignal = new AbortController().signal): AgentRequest {
  return {
    runId,
    agentId: `a${n}`,
    key: `key-${n}`,
    label: `${runId} #${n}`,
    prompt: `agent ${n} of ${runId}`,
    options: {},
    attempt: 1,
    validate: () => ({ ok: true }),
    signal,
  };
}

export function result(output: string, usage: Partial<TokenUsage> = {}, costUsd = 0): AgentResult {
  return { output, usage: { ...ZERO_USAGE, ...usage }, costUsd, change: null, meta: {} };
}

export function runContext(runId: string, installationId: number | null = null): QueuedRunContext {
  return {
    runId,
    installationId,
    repository: { kind: "local", path: "/nonexistent" },
    baseCommit: "0".repeat(40),
    task: "test",
    author: { name: "dynflow", email: "dynflow@example.com" },
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A `createRunner` whose agents call `behaviour` (default: finish at once
 * with the label as output) and record the order they started in.
 */
export function recordingRunners(behaviour: (request: AgentRequest) => Promise<AgentResult> = async (r) => result(r.label)) {
  const started: string[] = [];
  const createRunner: CreateRunner = async () => {
    const runner: AgentRunner = {
      run(request) {
        started.push(request.label);
        return behaviour(request);
      },
    };
    return { runner, close: async () => {} };
  };
  return { started, createRunner };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
