import { describe, expect, it } from "vitest";
import { LocalRunUnreadableError } from "../../src/local-runs/errors.js";
import { failedFields, newLocalRunRecord, plannedFields, readLocalRun, withOverrides } from "../../src/local-runs/local-run-record.js";
import type { NewRun, RunRecord } from "../../src/store/types.js";

/** A record as the store returns it for `run`. */
function stored(run: NewRun, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    issueNumber: null,
    commandCommentId: null,
    requester: null,
    task: null,
    workflow: null,
    args: {},
    baseRef: null,
    baseSha: null,
    script: null,
    plan: null,
    limits: null,
    statusCommentId: null,
    checkRunId: null,
    prNumber: null,
    result: null,
    error: null,
    createdAt: 1,
    updatedAt: 1,
    version: 1,
    ...run,
    ...patch,
  } as RunRecord;
}

const base = { id: "r1", repoName: "shop", baseCommit: "a".repeat(40), baseLabel: "main", settings: { limits: { maxAgents: 4 }, review: { maxRounds: 2 } } };

describe("local run records", () => {
  it("reads a script run back as it started: script, file name, args (or none) and settings", () => {
    const withArgs = readLocalRun(stored(newLocalRunRecord({ ...base, task: null, script: { source: "return 1", filename: "s.js" }, args: { dir: "src" } })));
    expect(withArgs).toEqual({ task: null, script: { source: "return 1", filename: "s.js" }, args: { dir: "src" }, baseCommit: base.baseCommit, baseLabel: "main", settings: base.settings });
    // A script started without --args sees undefined again, not {} or null.
    expect(readLocalRun(stored(newLocalRunRecord({ ...base, task: null, script: { source: "return 1", filename: "s.js" }, args: undefined }))).args).toBeUndefined();
  });

  it("keeps a planned script, so a resume runs it without planning again", () => {
    const record = stored(newLocalRunRecord({ ...base, task: "Rename the helpers", script: null, args: undefined }));
    expect(readLocalRun(record).script).toBeNull();
    const planned = stored(record, plannedFields({ source: "plan()", filename: "plan.js", args: { task: "Rename the helpers" }, plan: { usage: { input: 1 }, costUsd: 0.5 } }));
    expect(readLocalRun(planned)).toMatchObject({ task: "Rename the helpers", script: { source: "plan()", filename: "plan.js" }, args: { task: "Rename the helpers" } });
  });

  it("refuses settings it cannot read, naming the field", () => {
    const record = stored(newLocalRunRecord({ ...base, task: "t", script: null, args: undefined }), { limits: { limits: { maxConcurrency: 9000 } } });
    expect(() => readLocalRun(record)).toThrow(LocalRunUnreadableError);
    expect(() => readLocalRun(record)).toThrow(/limits\.limits\.maxConcurrency/);
    expect(() => readLocalRun({ ...record, limits: null, baseSha: null })).toThrow(/no base commit/);
  });

  it("lets the command line's settings replace the stored ones, one by one", () => {
    expect(withOverrides(base.settings, { limits: { budgetUsd: 5 }, review: {} })).toEqual({ limits: { maxAgents: 4, budgetUsd: 5 }, review: { maxRounds: 2 } });
  });

  it("records a failure with its reason, and what planning spent as the run's cost", () => {
    expect(failedFields({ code: "plan_failed", message: "the planner wrote no valid plan script", costUsd: 0.0123456789 })).toEqual({
      status: "error",
      error: { code: "plan_failed", message: "the planner wrote no valid plan script" },
      result: { agents: 0, costUsd: 0.012346 },
    });
    // Nothing spent: the result is left as it was (a resumed run's agents keep theirs).
    expect(failedFields({ code: "git_failed", message: "git refused the merge", costUsd: 0 })).toEqual({ status: "error", error: { code: "git_failed", message: "git refused the merge" } });
  });
});
