/**
 * A stand-in prelude and a scripted host for sandbox tests. The prelude keeps
 * the bridge in a few globals (the real script API prelude is built elsewhere).
 */
import type { JsonValue, SandboxLimits } from "../../../src/runtime/types.js";
import { DEFAULT_SANDBOX_LIMITS } from "../../../src/runtime/types.js";
import { expect } from "vitest";
import type { Sandbox, SandboxHost, SandboxResult } from "../../../src/runtime/sandbox/types.js";
import { startSandbox, type StartSandboxOptions } from "../../../src/runtime/sandbox/start-sandbox.js";

export const TEST_PRELUDE = `(function (bridge) {
  "use strict";
  globalThis.hostCall = bridge.call;
  globalThis.hostEcho = (x) => bridge.call("echo", x);
  globalThis.hostNotify = bridge.notify;
  globalThis.hostState = bridge.state;
  globalThis.hostCompile = bridge.compile;
  delete globalThis.__dynflow;
})(globalThis.__dynflow);`;

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One host call as the host saw it, with the means to answer it. */
export interface SeenCall {
  name: string;
  args: JsonValue[];
  answer: Deferred<JsonValue | undefined>;
}

/**
 * A host whose `echo` answers at once with its first argument, and whose other
 * calls wait until the test answers them (`calls[i].answer.resolve(...)`).
 */
export class ScriptedHost implements SandboxHost {
  readonly calls: SeenCall[] = [];
  readonly notes: { name: string; args: JsonValue[] }[] = [];
  private waiters: (() => void)[] = [];

  call(name: string, args: JsonValue[]): Promise<JsonValue | undefined> {
    if (name === "echo") return Promise.resolve(args[0]);
    const answer = deferred<JsonValue | undefined>();
    this.calls.push({ name, args, answer });
    for (const wake of this.waiters.splice(0)) wake();
    return answer.promise;
  }

  notify(name: string, args: JsonValue[]): void {
    this.notes.push({ name, args });
  }

  /** Resolves once at least `count` waiting calls have arrived. */
  async waitForCalls(count: number): Promise<SeenCall[]> {
    while (this.calls.length < count) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.calls.slice(0, count);
  }
}

export interface TestSandboxOptions extends Omit<Partial<StartSandboxOptions>, "limits"> {
  limits?: Partial<SandboxLimits>;
}

export async function startTestSandbox(options: TestSandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    ...options,
    limits: { ...DEFAULT_SANDBOX_LIMITS, ...options.limits },
    host: options.host ?? new ScriptedHost(),
  });
}

/** Runs `main` (a script whose completion value is the result or a promise of it) in a fresh sandbox. */
export async function runScript(
  main: string,
  options: TestSandboxOptions & { filename?: string } = {},
): Promise<SandboxResult> {
  const sandbox = await startTestSandbox(options);
  try {
    return await sandbox.run({ prelude: TEST_PRELUDE, main, filename: options.filename ?? "script.js" });
  } finally {
    await sandbox.terminate();
  }
}

/** The error of a failed run; fails the test when the run succeeded. */
export function errorOf(result: SandboxResult) {
  if (result.ok) throw new Error(`expected the run to fail, it returned ${JSON.stringify(result.value)}`);
  return result.error;
}

/** Asserts that a new sandbox starts and round-trips a host call normally. */
export async function expectHealthy(): Promise<void> {
  const result = await runScript(`(async () => (await hostEcho({ n: 41 })).n + 1)()`);
  expect(result).toEqual({ ok: true, value: 42 });
}
