import { describe, expect, it } from "vitest";
import { matchRecords, type TrackedCall } from "../../src/review/match-records.js";
import { ZERO_USAGE, type AgentRecord } from "../../src/runtime/types.js";

function record(id: string, label: string, status: AgentRecord["status"], attempts: number, role: AgentRecord["role"] = "worker"): AgentRecord {
  return { id, key: `k-${id}`, label, phase: null, role, status, output: null, change: null, usage: { ...ZERO_USAGE }, costUsd: 0, attempts, meta: {} };
}

const call = (label: string, state: TrackedCall["state"], agentId: string | null = null, role: TrackedCall["role"] = "worker"): TrackedCall => ({
  label,
  role,
  state,
  agentId,
});

describe("matchRecords", () => {
  it("finds finished calls by id and failed ones by position, label and role", () => {
    const records = [
      record("a1", "x", "finished", 1),
      record("a2", "x", "failed", 2), // a plain agent() call with the same label
      record("a3", "x", "failed", 1),
      record("a4", "x · refuter 1", "failed", 1, "refuter"),
      record("a5", "y", "finished", 1),
    ];
    const calls = [call("x", "finished", "a1"), call("x", "failed"), call("x · refuter 1", "failed", null, "refuter"), call("y", "finished", "a5")];
    expect(matchRecords(calls, records).map((r) => r?.id ?? null)).toEqual(["a1", "a2", "a4", "a5"]);
  });

  it("matches a call the run stopped to a queued record that never started, and none when it was refused outright", () => {
    const records = [record("a1", "x", "finished", 1), record("a2", "z", "failed", 0)];
    const calls = [call("x", "finished", "a1"), call("z", "stopped"), call("w", "stopped")];
    expect(matchRecords(calls, records).map((r) => r?.id ?? null)).toEqual(["a1", "a2", null]);
  });

  it("never matches a failed call to a record that did not run, or a stopped one to a record that did", () => {
    const records = [record("a1", "x", "failed", 0), record("a2", "y", "failed", 3)];
    expect(matchRecords([call("x", "failed"), call("y", "stopped")], records)).toEqual([null, null]);
  });

  it("keeps a match between the records of its neighbouring finished calls", () => {
    const records = [record("a1", "x", "failed", 1), record("a2", "y", "finished", 1), record("a3", "x", "failed", 1)];
    // The failed "x" call was made after "y", so a1 (made before) is not its record.
    expect(matchRecords([call("y", "finished", "a2"), call("x", "failed")], records).map((r) => r?.id ?? null)).toEqual(["a2", "a3"]);
  });
});
