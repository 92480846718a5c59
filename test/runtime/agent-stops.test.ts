import { describe, expect, it } from "vitest";
import { AgentStops } from "../../src/runtime/agent-stops.js";
import { AgentFailedError, AgentStoppedError } from "../../src/runtime/errors.js";
import { runScript } from "../../src/runtime/run-script.js";
import type { RunEvent } from "../../src/runtime/types.js";
import { ControlledRunner, usage } from "../fakes/controlled-runner.js";

const meta = `export const meta = { name: "t", description: "test" }\n`;

/** A runner whose agents end as real runners do when aborted: a failure that reports the spend so far. */
function abortAware(runner: ControlledRunner): ControlledRunner {
  const run = runner.run.bind(runner);
  runner.run = (request) => {
    const running = run(request);
    request.signal.addEventListener("abort", () => {
      try {
        runner.fail(request.prompt, new AgentFailedError("the agent was cancelled after 2 turns", usage(70, 7), 0.07));
      } catch {
        // Already settled.
      }
    });
    return running;
  };
  return runner;
}

describe("stopping one agent", () => {
  it("aborts a running agent: its call resolves null, it is recorded as stopped with its spend, the run goes on", async () => {
    const runner = abortAware(new ControlledRunner());
    const stops = new AgentStops();
    const events: RunEvent[] = [];
    const running = runScript({
      runId: "r1",
      baseRevision: "b",
      runner,
      agentStops: stops,
      onEvent: (event) => events.push(event),
      source: `${meta}const [a, b] = await Promise.all([agent("first"), agent("second")]);\nconst c = await agent("third after " + String(a));\nreturn { a, b, c }`,
    });
    await runner.untilStarted(2);
    expect(stops.stop("a1", "stopped by @octocat")).toBe(true);
    // Stopping it again, or an agent that does not exist, does nothing.
    expect(stops.stop("a1", "again")).toBe(false);
    expect(stops.stop("a9", "nobody")).toBe(false);
    runner.succeed("second");
    await runner.untilWaiting("third after null");
    runner.succeed("third");
    const outcome = await running;

    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual({ a: null, b: "done: second", c: "done: third" });
    const first = outcome.agents[0];
    expect(first).toMatchObject({ status: "failed", stopped: true, error: "stopped: stopped by @octocat", usage: usage(70, 7), costUsd: 0.07 });
    expect(outcome.agents[1]?.stopped).toBeUndefined();
    expect(outcome.costUsd).toBeCloseTo(0.07 + 0.01 + 0.01);
    expect(events.find((e) => e.type === "agent.failed")).toMatchObject({ agentId: "a1", stopped: true });
    // The agent saw its own abort, with the reason, not the run's.
    expect(runner.started[0]?.signal.reason).toBeInstanceOf(AgentStoppedError);
    expect(runner.started[1]?.signal.aborted).toBe(false);
  });

  it("never starts a queued agent that was stopped", async () => {
    const runner = new ControlledRunner();
    const stops = new AgentStops();
    const running = runScript({
      runId: "r1",
      baseRevision: "b",
      runner,
      agentStops: stops,
      limits: { maxConcurrency: 1 },
      source: `${meta}return await Promise.all([agent("one"), agent("two"), agent("three")])`,
    });
    await runner.untilStarted(1);
    expect(stops.stop("a2", "not needed")).toBe(true);
    runner.succeed("one");
    await runner.untilWaiting("three");
    runner.succeed("three");
    const outcome = await running;
    expect(outcome.result).toEqual(["done: one", null, "done: three"]);
    expect(runner.started.map((r) => r.prompt)).toEqual(["one", "three"]);
    expect(outcome.agents[1]).toMatchObject({ status: "failed", stopped: true, attempts: 0 });
  });

  it("reports as stopped an agent whose remote runner says it was stopped", async () => {
    const runner = new ControlledRunner();
    const running = runScript({ runId: "r1", baseRevision: "b", runner, source: `${meta}return await agent("remote")` });
    await runner.untilStarted(1);
    runner.fail("remote", new AgentFailedError("agent a1 was stopped: by @octocat", usage(5), 0.005, { stopped: true }));
    const outcome = await running;
    expect(outcome.status).toBe("ok");
    expect(outcome.agents[0]).toMatchObject({ stopped: true, error: "agent a1 was stopped: by @octocat" });
  });

  it("does nothing once the run has ended", async () => {
    const stops = new AgentStops();
    const runner = new ControlledRunner();
    const running = runScript({ runId: "r1", baseRevision: "b", runner, agentStops: stops, source: `${meta}return await agent("x")` });
    await runner.untilStarted(1);
    runner.succeed("x");
    await running;
    expect(stops.stop("a1", "late")).toBe(false);
  });
});
