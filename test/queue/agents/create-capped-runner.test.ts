/**
 * The caps without Redis: semaphores shared by every run of the process.
 */
import { describe, expect, it } from "vitest";
import { AGENTS_PER_ROUND } from "../../../src/queue/agents/agent-order.js";
import { createCappedRunner, createProcessCaps } from "../../../src/queue/agents/create-capped-runner.js";
import { PrioritySemaphore } from "../../../src/queue/agents/priority-semaphore.js";
import { QueueOptionError } from "../../../src/queue/errors.js";
import { AgentFailedError } from "../../../src/runtime/errors.js";
import type { AgentRequest, AgentRunner } from "../../../src/runtime/types.js";
import { deferred, rejectionOf, request, result, type Deferred } from "./queue-fixture.js";

/** A runner whose agents finish when the test says so; it tracks who runs. */
function heldRunner() {
  const running = new Map<string, Deferred<void>>();
  const started: string[] = [];
  let most = 0;
  const runner: AgentRunner = {
    async run(r: AgentRequest) {
      const gate = deferred();
      running.set(r.label, gate);
      started.push(r.label);
      most = Math.max(most, running.size);
      await gate.promise;
      running.delete(r.label);
      return result(r.label);
    },
  };
  return {
    runner,
    started,
    running,
    get most() {
      return most;
    },
    finish(label: string) {
      running.get(label)?.resolve();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("createCappedRunner", () => {
  it("caps each installation and the process as a whole", async () => {
    const caps = createProcessCaps({ global: 3, perInstallation: 2 });
    const held = heldRunner();
    const installationOf = (label: string) => (label.startsWith("b ") ? "2" : label.startsWith("local ") ? "none" : "1");
    let mostOfOne = 0;
    const runners = {
      a1: createCappedRunner(held.runner, { caps, installationId: 1 }),
      a2: createCappedRunner(held.runner, { caps, installationId: 1 }),
      b: createCappedRunner(held.runner, { caps, installationId: 2 }),
      local: createCappedRunner(held.runner, { caps, installationId: null }),
    };
    const done = Object.entries(runners).flatMap(([name, runner]) => [0, 1, 2].map((i) => runner.run(request(name, i))));

    while (held.started.length < 12) {
      await settle();
      const ofOne = [...held.running.keys()].filter((label) => installationOf(label) === "1").length;
      mostOfOne = Math.max(mostOfOne, ofOne);
      held.finish([...held.running.keys()][0]!);
    }
    for (const label of [...held.running.keys()]) held.finish(label);

    expect(await Promise.all(done)).toHaveLength(12);
    expect(held.most).toBe(3);
    expect(mostOfOne).toBe(2);
    // A released slot is counted free a few microtasks later (p-queue's bookkeeping).
    await settle();
    expect(caps.global?.active).toBe(0);
    expect(caps.installations).toBe(0);
  });

  /** Starts the held agents one slot at a time, in the order the caps hand slots out. */
  async function drainOneByOne(held: ReturnType<typeof heldRunner>, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await settle();
      held.finish(held.started.at(-1)!);
    }
    await settle();
  }

  it(`lets a run that starts behind a big backlog in after one round of ${AGENTS_PER_ROUND} agents, not after the backlog`, async () => {
    const caps = createProcessCaps({ global: 1 });
    const held = heldRunner();
    const big = createCappedRunner(held.runner, { caps, installationId: null, runCreatedAt: 1_000 });
    const small = createCappedRunner(held.runner, { caps, installationId: null, runCreatedAt: 2_000 });
    const bigDone = Array.from({ length: 20 }, (_, i) => big.run(request("big", i)));
    await settle();
    const smallDone = [small.run(request("small", 0)), small.run(request("small", 1))];
    await drainOneByOne(held, 22);

    await Promise.all([...bigDone, ...smallDone]);
    const bigLabels = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `big #${from + i}`);
    expect(held.started).toEqual([...bigLabels(0, 8), "small #0", "small #1", ...bigLabels(8, 20)]);
  });

  it("within a round takes the older run's agents first, so small runs finish in the order they came", async () => {
    const caps = createProcessCaps({ global: 1 });
    const held = heldRunner();
    // Created in the order a, b, c; they ask for their agents in turn, as runs started together do.
    const runs = { c: 3_000, a: 1_000, b: 2_000 };
    const runners = Object.fromEntries(Object.entries(runs).map(([name, createdAt]) => [name, createCappedRunner(held.runner, { caps, installationId: null, runCreatedAt: createdAt })]));
    const done: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) for (const name of Object.keys(runs)) done.push(runners[name]!.run(request(name, i)));
    await drainOneByOne(held, 9);

    await Promise.all(done);
    // The first agent asked for runs at once; the others wait their turn: all of a, then b, then c.
    expect(held.started.slice(1)).toEqual(["a #0", "a #1", "a #2", "b #0", "b #1", "b #2", "c #1", "c #2"]);
    expect(held.started[0]).toBe("c #0");
  });

  it("fails an agent whose run is cancelled while it waits, without starting it", async () => {
    const caps = createProcessCaps({ global: 1 });
    const held = heldRunner();
    const runner = createCappedRunner(held.runner, { caps, installationId: null });
    const first = runner.run(request("r", 0));
    const controller = new AbortController();
    const waiting = runner.run(request("r", 1, controller.signal));
    await settle();

    controller.abort(new Error("cancelled"));

    const error = await rejectionOf(waiting);
    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({ costUsd: 0 });
    held.finish("r #0");
    await first;
    expect(held.started).toEqual(["r #0"]);
    await settle();
    expect(caps.global?.active).toBe(0);
  });

  it("runs everything at once without caps", async () => {
    const held = heldRunner();
    const runner = createCappedRunner(held.runner, { caps: createProcessCaps({}), installationId: 4 });
    const done = [0, 1, 2, 3].map((i) => runner.run(request("r", i)));
    await settle();
    expect(held.running.size).toBe(4);
    for (const label of [...held.running.keys()]) held.finish(label);
    await Promise.all(done);
  });
});

describe("PrioritySemaphore", () => {
  it("keeps a granted slot when its holder's signal aborts: only waiting gives up", async () => {
    const semaphore = new PrioritySemaphore(1);
    const controller = new AbortController();
    const release = await semaphore.acquire(0, controller.signal);
    controller.abort(new Error("cancelled"));
    const next = semaphore.acquire(1);
    await settle();
    expect(semaphore.active).toBe(1);
    expect(semaphore.pending).toBe(1);
    release();
    (await next)();
    await settle();
    expect(semaphore.active).toBe(0);
  });

  it("serves lower priorities first and equal ones in order", async () => {
    const semaphore = new PrioritySemaphore(1);
    const release = await semaphore.acquire(0);
    const order: string[] = [];
    // Each waiter gives its slot back as soon as it has it.
    const take = (priority: number, name: string) => semaphore.acquire(priority).then((next) => (order.push(name), next()));
    const waiters = [take(5, "5a"), take(1, "1"), take(5, "5b")];
    expect(semaphore.pending).toBe(3);
    release();
    await Promise.all(waiters);
    expect(order).toEqual(["1", "5a", "5b"]);
    await settle();
    expect(semaphore.active).toBe(0);
  });

  it("refuses a limit below 1", () => {
    expect(() => new PrioritySemaphore(0)).toThrow(QueueOptionError);
  });
});
