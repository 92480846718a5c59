import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_IDLE_THREADS,
  MAX_IDLE_THREADS,
  MAX_PROGRAMS_PER_THREAD,
  idleSandboxThreadLimit,
  keepIdleSandboxThreads,
  sandboxThreadStats,
} from "../../../src/runtime/sandbox/sandbox-threads.js";
import { stopSpareSandboxes } from "../../../src/runtime/sandbox/start-sandbox.js";
import { ScriptedHost, TEST_PRELUDE, errorOf, runScript, startTestSandbox } from "./sandbox-harness.js";

/** The pool's counts when the test began, with no thread waiting. */
let before: { started: number; reused: number };

beforeEach(async () => {
  await stopSpareSandboxes();
  before = sandboxThreadStats();
});
/** The limit this process starts with, restored after tests that change it. */
const startingLimit = idleSandboxThreadLimit();

afterEach(async () => {
  keepIdleSandboxThreads(startingLimit / 2);
  await stopSpareSandboxes();
});

/** Runs `count` programs at once: each waits for the host until all have started, then ends by itself. */
async function runTogether(count: number): Promise<void> {
  const hosts = Array.from({ length: count }, () => new ScriptedHost());
  const sandboxes = await Promise.all(hosts.map((host) => startTestSandbox({ host })));
  const results = sandboxes.map((sandbox, i) => sandbox.run({ prelude: TEST_PRELUDE, main: `(async () => (await hostCall("wait")) + ${i})()`, filename: `p${i}.js` }));
  const calls = await Promise.all(hosts.map((host) => host.waitForCalls(1)));
  for (const [call] of calls) call!.answer.resolve(0);
  expect(await Promise.all(results)).toEqual(hosts.map((_, i) => ({ ok: true, value: i })));
}

/** Threads started and reused since the test began. */
function since() {
  const now = sandboxThreadStats();
  return { started: now.started - before.started, reused: now.reused - before.reused };
}

describe("sandbox threads", () => {
  it("a program that ended leaves its thread to the next sandbox, whose engine knows nothing of it", async () => {
    expect(await runScript(`globalThis.leftover = "secret"; Object.prototype.polluted = 1; 1`)).toEqual({ ok: true, value: 1 });
    expect(sandboxThreadStats().idle).toBe(1);
    const second = await runScript(`[typeof globalThis.leftover, ({}).polluted === undefined]`);
    expect(second).toEqual({ ok: true, value: ["undefined", true] });
    expect(since()).toEqual({ started: 1, reused: 1 });
  });

  it("a kept thread builds its next engine with that sandbox's own limits", async () => {
    expect(await runScript(`[1, 2, 3].length`, { limits: { memoryMb: 64 } })).toEqual({ ok: true, value: 3 });
    const slow = errorOf(await runScript(`for (;;) {}`, { limits: { cpuMs: 50 } }));
    expect(slow.code).toBe("script_timeout");
    const error = errorOf(await runScript(`new Uint8Array(24 << 20).length`, { limits: { memoryMb: 16 } }));
    expect(error.code).toBe("script_memory");
    expect(since()).toEqual({ started: 1, reused: 2 });
  });

  it("a thread whose engine grew past its starting memory is not kept: it would hold that memory while it waits", async () => {
    expect(await runScript(`new Uint8Array(24 << 20).length`, { limits: { memoryMb: 64 } })).toEqual({ ok: true, value: 24 << 20 });
    expect(sandboxThreadStats().idle).toBe(0);
    expect(await runScript(`1`)).toEqual({ ok: true, value: 1 });
    expect(since()).toEqual({ started: 2, reused: 0 });
  });

  it("a script that failed ended by itself: its thread is kept", async () => {
    expect(errorOf(await runScript(`throw new Error("no")`)).message).toContain("no");
    expect(await runScript(`2`)).toEqual({ ok: true, value: 2 });
    expect(since()).toEqual({ started: 1, reused: 1 });
  });

  it("a sandbox stopped before its program ended does not leave its thread", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host });
    const result = sandbox.run({ prelude: TEST_PRELUDE, main: `(async () => await hostCall("wait"))()`, filename: "a.js" });
    await host.waitForCalls(1);
    await sandbox.terminate();
    expect(errorOf(await result).code).toBe("sandbox_terminated");
    expect(sandboxThreadStats().idle).toBe(0);
    expect(await runScript(`3`)).toEqual({ ok: true, value: 3 });
    expect(since()).toEqual({ started: 2, reused: 0 });
  });

  it("what a program left waiting never reaches the next one on its thread", async () => {
    const first = new ScriptedHost();
    // The program ends while one of its calls waits for the host, and a promise job would call again.
    const ended = await runScript(`hostCall("late").then(() => hostCall("after")); "done"`, { host: first });
    expect(ended).toEqual({ ok: true, value: "done" });
    const [late] = await first.waitForCalls(1);

    const second = new ScriptedHost();
    const sandbox = await startTestSandbox({ host: second });
    try {
      const result = sandbox.run({ prelude: TEST_PRELUDE, main: `(async () => (await hostCall("mine")) + 1)()`, filename: "b.js" });
      const [mine] = await second.waitForCalls(1);
      late!.answer.resolve("too late");
      mine!.answer.resolve(1);
      expect(await result).toEqual({ ok: true, value: 2 });
    } finally {
      await sandbox.terminate();
    }
    expect(first.calls.map((call) => call.name)).toEqual(["late"]);
    expect(second.calls.map((call) => call.name)).toEqual(["mine"]);
    expect(since()).toEqual({ started: 1, reused: 1 });
  });

  it(`a thread runs at most ${MAX_PROGRAMS_PER_THREAD} programs`, async () => {
    for (let i = 0; i < MAX_PROGRAMS_PER_THREAD + 1; i++) expect(await runScript(`${i}`)).toEqual({ ok: true, value: i });
    expect(since()).toEqual({ started: 2, reused: MAX_PROGRAMS_PER_THREAD - 1 });
  });

  it(`${DEFAULT_IDLE_THREADS} programs ending together all leave their threads to the next ones`, async () => {
    await runTogether(DEFAULT_IDLE_THREADS);
    expect(sandboxThreadStats().idle).toBe(DEFAULT_IDLE_THREADS);
    await runTogether(DEFAULT_IDLE_THREADS);
    expect(since()).toEqual({ started: DEFAULT_IDLE_THREADS, reused: DEFAULT_IDLE_THREADS });
  });

  it("beyond the limit a process sets, a thread that ends is stopped", async () => {
    keepIdleSandboxThreads(1);
    expect(idleSandboxThreadLimit()).toBe(2);
    await runTogether(3);
    expect(sandboxThreadStats().idle).toBe(2);
    expect(await runScript(`1`)).toEqual({ ok: true, value: 1 });
    expect(since()).toEqual({ started: 3, reused: 1 });
  });

  it("the limit is two threads per run taken at once, at least one and at most MAX_IDLE_THREADS", () => {
    keepIdleSandboxThreads(6);
    expect(idleSandboxThreadLimit()).toBe(12);
    keepIdleSandboxThreads(0);
    expect(idleSandboxThreadLimit()).toBe(1);
    keepIdleSandboxThreads(Number.NaN);
    expect(idleSandboxThreadLimit()).toBe(1);
    keepIdleSandboxThreads(1_000);
    expect(idleSandboxThreadLimit()).toBe(MAX_IDLE_THREADS);
  });
});
