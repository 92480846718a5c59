import { describe, expect, it } from "vitest";
import { agentJobId, failedOutcome, finishedOutcome, jobPriority, MAX_JOB_PRIORITY, readAgentJobData, resultOf, toAgentJobData } from "../../../src/queue/agents/agent-job.js";
import { IncompatibleJobError } from "../../../src/queue/errors.js";
import { AgentFailedError } from "../../../src/runtime/errors.js";
import { InvalidAgentSubjectError } from "../../../src/agents/errors.js";
import { ZERO_USAGE } from "../../../src/runtime/types.js";
import { request, result, runContext } from "./queue-fixture.js";

describe("agent job ids", () => {
  it("are <runId>:<key>:<attempt>", () => {
    expect(agentJobId("3f9a01bc", "ab12", 2)).toBe("3f9a01bc:ab12:2");
  });

  it("keep exactly two colons, whatever the parts contain, without collisions", () => {
    const ids = [agentJobId("a:b", "c", 1), agentJobId("a", "b:c", 1), agentJobId("a%3Ab", "c", 1), agentJobId("a", "b%3Ac", 1)];
    for (const id of ids) expect(id.split(":")).toHaveLength(3);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("job priority", () => {
  const createdAt = Date.UTC(2026, 11, 4, 1, 30, 7);
  const age = (createdAt / 100) % 8192;

  it("is one round of eight jobs after another, within BullMQ's range", () => {
    expect([0, 7, 8, 15, 16].map((started) => jobPriority(started, createdAt) - age)).toEqual([1, 1, 8193, 8193, 16385]);
    expect(jobPriority(10 ** 9, createdAt)).toBeLessThanOrEqual(MAX_JOB_PRIORITY);
    expect(jobPriority(10 ** 9, createdAt)).toBe(jobPriority(10 ** 8, createdAt));
    expect(jobPriority(-3, createdAt)).toBe(1 + age);
    expect(jobPriority(Number.NaN, Number.NaN)).toBe(1);
  });

  it("puts the older run's job first within a round, and any earlier round before a later one", () => {
    expect(jobPriority(3, createdAt)).toBeLessThan(jobPriority(0, createdAt + 100));
    expect(jobPriority(7, createdAt + 60_000)).toBeLessThan(jobPriority(8, createdAt));
    // Within a tenth of a second, runs tie: BullMQ then takes them in the order they were queued.
    expect(jobPriority(0, createdAt + 99)).toBe(jobPriority(0, createdAt));
  });
});

describe("job data", () => {
  it("carries the serialisable part of the request and the run context, nothing else", () => {
    const data = toAgentJobData({ ...request("r", 1), options: { schema: { type: "string" }, write: undefined }, feedback: "try again" }, runContext("r"));
    expect(data).toEqual({
      v: 1,
      context: runContext("r"),
      request: { runId: "r", agentId: "a1", key: "key-1", label: "r #1", prompt: "agent 1 of r", options: { schema: { type: "string" } }, attempt: 1, feedback: "try again" },
    });
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(readAgentJobData("j", data)).toEqual(data);
  });

  it("is refused when written by another version or not an agent job", () => {
    const data = toAgentJobData(request("r", 1), runContext("r"));
    expect(() => readAgentJobData("j1", { ...data, v: 2 })).toThrow(IncompatibleJobError);
    expect(() => readAgentJobData("j1", { v: 1, context: {}, request: {} })).toThrow(/run context is missing/);
    expect(() => readAgentJobData("j1", "text")).toThrow(/Run the same dynflow version/);
  });
});

describe("job outcomes", () => {
  it("round-trip a result", () => {
    const finished = result("done", { input: 3 }, 0.1);
    expect(resultOf(JSON.parse(JSON.stringify(finishedOutcome(finished))))).toEqual(finished);
  });

  it("carry a failed agent's spend and partial change back to the owner", () => {
    const change = { branch: "b", commit: "c", base: "d", files: [], additions: 0, deletions: 0, incomplete: true };
    const outcome = JSON.parse(JSON.stringify(failedOutcome(new AgentFailedError("no finish", { ...ZERO_USAGE, output: 9 }, 0.2, { change }))));
    expect(outcome).toMatchObject({ status: "failed", code: "agent_failed" });
    let thrown: unknown;
    try {
      resultOf(outcome);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AgentFailedError);
    expect(thrown).toMatchObject({ message: "no finish", usage: { ...ZERO_USAGE, output: 9 }, costUsd: 0.2, change });
  });

  it("report other errors with their code and no spend", () => {
    expect(failedOutcome(new InvalidAgentSubjectError("refuter", "got null", "{ claim }"))).toMatchObject({ code: "invalid_agent_subject", usage: ZERO_USAGE, costUsd: 0 });
    expect(failedOutcome(new Error("boom"))).toMatchObject({ message: "boom", code: null, change: null });
  });
});
