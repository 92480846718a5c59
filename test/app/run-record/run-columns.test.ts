/**
 * The JSON columns of a run record (plan, limits, result) read through their
 * schemas: what the app wrote reads back typed, what it cannot read fails
 * with a typed error naming the column and the place, never as a guess.
 */
import { describe, expect, it } from "vitest";
import { UnreadableRunRecordError } from "../../../src/app/errors.js";
import { readRunResult, toResultJson } from "../../../src/app/run-record/run-result.js";
import { buildRunSettings, readRunSettings, toSettingsJson } from "../../../src/app/run-record/run-settings.js";
import { nextStepOf, readStoredPlan, toPlanJson, type StoredPlan } from "../../../src/app/run-record/stored-plan.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfig } from "../../../src/config/repo-config.js";
import { ZERO_USAGE, type JsonValue } from "../../../src/runtime/types.js";

const CAPS = { maxConcurrency: 32, maxAgents: 1000, maxConcurrentRuns: 4, maxConcurrencyPerInstallation: 16 };

const planned: StoredPlan = {
  stopAfterPlan: false,
  commandUrl: "https://github.com/acme/widgets/issues/42#issuecomment-1",
  source: "model-written",
  reason: "three modules",
  rationale: null,
  filename: "plan.js",
  estimate: { status: "capped", error: { code: "cap_exceeded", message: "cap" }, agents: 9, phases: [{ title: "Migrate", agents: 9 }], usage: ZERO_USAGE, tokens: 10, costUsd: 0.5, durationMs: 60_000, concurrency: 4 },
  approval: { required: true, reasons: ["above 5 agents"] },
  usage: { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
  costUsd: 0.01,
  pullRequest: 7,
};

/** The first problem of reading `read`, as the error reports it. */
function problemOf(read: () => unknown): { column: string; problem: string } {
  try {
    read();
  } catch (error) {
    if (error instanceof UnreadableRunRecordError) return { column: error.column, problem: error.problem };
    throw error;
  }
  throw new Error("read did not fail");
}

describe("the plan column", () => {
  it("reads back what was stored, typed", () => {
    expect(readStoredPlan(toPlanJson(planned))).toEqual(planned);
    expect(readStoredPlan(null)).toEqual({ stopAfterPlan: false });
  });

  it("keeps fields it does not know, so a read-modify-write by this version loses nothing", () => {
    const stored = { ...(toPlanJson(planned) as Record<string, JsonValue>), contract: { admittedUsd: 2 } };
    expect(toPlanJson({ ...readStoredPlan(stored), stopAfterPlan: true })).toMatchObject({ contract: { admittedUsd: 2 }, stopAfterPlan: true });
  });

  it("names the column and the field of a plan it cannot read", () => {
    expect(problemOf(() => readStoredPlan({ stopAfterPlan: false, estimate: { agents: "many" } }))).toMatchObject({ column: "plan", problem: expect.stringMatching(/^plan\.estimate\./) });
    expect(problemOf(() => readStoredPlan("planned"))).toMatchObject({ column: "plan", problem: expect.stringMatching(/^plan: /) });
    expect(() => readStoredPlan([])).toThrow(/the run's stored plan cannot be read .*start a new run/);
  });

  it("sends an unfinished run to the step it goes on with", () => {
    expect(nextStepOf({ plan: null })).toBe("plan");
    expect(nextStepOf({ plan: { stopAfterPlan: false } })).toBe("plan");
    expect(nextStepOf({ plan: toPlanJson(planned) })).toBe("execute");
    // Execution ends a run whose plan cannot be read, with that message.
    expect(nextStepOf({ plan: { source: 12 } })).toBe("execute");
  });
});

describe("the limits column", () => {
  it("reads the stored config through the config's schema, filling what an older version did not store", () => {
    const parsed = parseRepoConfig("refuters: 3\ncaps:\n  maxAgents: 50\n");
    if (!parsed.ok) throw new Error("fixture config is invalid");
    const stored = toSettingsJson(buildRunSettings(parsed.config, CAPS)) as { config: Record<string, JsonValue> };
    expect(readRunSettings(stored, CAPS).config).toEqual(parsed.config);
    const { rounds: _dropped, ...older } = stored.config;
    expect(readRunSettings({ config: older }, CAPS).config).toEqual({ ...parsed.config, rounds: DEFAULT_REPO_CONFIG.rounds });
  });

  it("refuses settings it cannot read instead of running with the defaults", () => {
    expect(problemOf(() => readRunSettings({ config: { caps: { maxAgents: -1 } } }, CAPS))).toMatchObject({ column: "limits", problem: expect.stringMatching(/^limits\.config\.caps\.maxAgents: /) });
    expect(() => readRunSettings({ maxConcurrency: 8 }, CAPS)).toThrow(/resume the run to give it the repository's current settings/);
  });
});

describe("the result column", () => {
  it("reads both kinds of result", () => {
    const pullRequestRun = toResultJson({ branch: "dynflow/r-1", commit: "c", merged: ["a"], pushed: ["dynflow/r-1"], pullRequest: { number: 9, url: "u", draft: true }, agents: 3, costUsd: 1 });
    expect(readRunResult(pullRequestRun)).toMatchObject({ pullRequest: { number: 9, draft: true }, agents: 3 });
    const auditRun = toResultJson({ audit: { issue: { number: 4, url: null, action: "created" }, findings: 1, unverified: 0, refuted: 2, dropped: 0, newFindings: 1, fixed: 0 }, agents: 5, costUsd: 2 });
    expect(readRunResult(auditRun)?.audit?.issue?.number).toBe(4);
    expect(readRunResult(null)).toBeNull();
  });

  it("names the field of a result it cannot read", () => {
    expect(problemOf(() => readRunResult({ pullRequest: { number: "nine" } }))).toMatchObject({ column: "result", problem: expect.stringMatching(/^result\.pullRequest\.number: /) });
  });
});
