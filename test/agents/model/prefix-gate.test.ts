import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ModelCallAbortedError } from "../../../src/agents/model/errors.js";
import { PrefixGate, type GatePass } from "../../../src/agents/model/prefix-gate.js";

/** Tracks a pending `enter()` so tests can see whether it has been let through yet. */
function track(promise: Promise<GatePass>) {
  const state: { pass?: GatePass; error?: unknown } = {};
  promise.then(
    (pass) => (state.pass = pass),
    (error: unknown) => (state.error = error),
  );
  return state;
}

const settle = () => vi.advanceTimersByTimeAsync(0);

describe("PrefixGate", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("lets the first request go and holds its siblings until its response begins", async () => {
    const gate = new PrefixGate({ holdMs: 5000 });
    const first = await gate.enter("k");
    expect(first.reason).toBe("first");
    const second = track(gate.enter("k"));
    const third = track(gate.enter("k"));
    await vi.advanceTimersByTimeAsync(4000);
    expect(second.pass).toBeUndefined();
    expect(gate.heldCount("k")).toBe(2);

    first.began();
    await settle();
    expect(second.pass?.reason).toBe("began");
    expect(third.pass?.reason).toBe("began");
    expect(gate.heldCount("k")).toBe(0);
  });

  it("lets a later request with an answering prefix straight through", async () => {
    const gate = new PrefixGate({ holdMs: 5000 });
    const first = await gate.enter("k");
    first.began();
    first.done();
    expect((await gate.enter("k")).reason).toBe("open");
  });

  it("releases held siblings at the cap when the first response has not begun", async () => {
    const gate = new PrefixGate({ holdMs: 5000 });
    await gate.enter("k");
    const held = track(gate.enter("k"));
    await vi.advanceTimersByTimeAsync(4999);
    expect(held.pass).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(held.pass?.reason).toBe("cap");
  });

  it("holds nothing when holdMs is 0", async () => {
    const gate = new PrefixGate({ holdMs: 0 });
    const passes = await Promise.all([gate.enter("k"), gate.enter("k"), gate.enter("k")]);
    expect(passes.map((p) => p.reason)).toEqual(["disabled", "disabled", "disabled"]);
  });

  it("keeps different prefixes independent", async () => {
    const gate = new PrefixGate({ holdMs: 5000 });
    expect((await gate.enter("a")).reason).toBe("first");
    expect((await gate.enter("b")).reason).toBe("first");
  });

  it("hands the lead to one held sibling when the first request fails before answering", async () => {
    const gate = new PrefixGate({ holdMs: 5000 });
    const first = await gate.enter("k");
    const second = track(gate.enter("k"));
    const third = track(gate.enter("k"));
    first.done();
    await settle();
    expect(second.pass?.reason).toBe("promoted");
    expect(third.pass).toBeUndefined();

    second.pass!.began();
    await settle();
    expect(third.pass?.reason).toBe("began");
  });

  it("starts over when the first request fails and nobody is waiting", async () => {
    const gate = new PrefixGate({ holdMs: 5000 });
    (await gate.enter("k")).done();
    expect((await gate.enter("k")).reason).toBe("first");
  });

  it("rejects a held request whose signal aborts, and stops holding it", async () => {
    const gate = new PrefixGate({ holdMs: 5000 });
    await gate.enter("k");
    const controller = new AbortController();
    const held = track(gate.enter("k", controller.signal));
    controller.abort();
    await settle();
    expect(held.error).toBeInstanceOf(ModelCallAbortedError);
    expect(gate.heldCount("k")).toBe(0);
    await expect(gate.enter("k", controller.signal)).rejects.toBeInstanceOf(ModelCallAbortedError);
  });

  it("treats a prefix as uncached again once its TTL has passed unused", async () => {
    let now = 0;
    const gate = new PrefixGate({ holdMs: 5000, openTtlMs: 60_000, clock: { now: () => now } });
    (await gate.enter("k")).began();
    now = 50_000;
    expect((await gate.enter("k")).reason).toBe("open"); // a use refreshes the TTL
    now = 100_000;
    expect((await gate.enter("k")).reason).toBe("open");
    now = 160_001;
    expect((await gate.enter("k")).reason).toBe("first");
  });

  it("uses injected timers for the cap", async () => {
    const pending: { fn: () => void; ms: number }[] = [];
    const timers = { setTimeout: (fn: () => void, ms: number) => pending.push({ fn, ms }), clearTimeout: () => {} };
    const gate = new PrefixGate({ holdMs: 1234, timers });
    await gate.enter("k");
    const held = track(gate.enter("k"));
    expect(pending.map((t) => t.ms)).toEqual([1234]);
    pending[0]!.fn();
    await settle();
    expect(held.pass?.reason).toBe("cap");
  });
});
