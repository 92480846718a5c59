/**
 * The pure helpers of the run stories: settings, branches to push, the pull
 * request body, and the `/dynflow status` reply.
 */
import { describe, expect, it } from "vitest";
import { refspecsOf, runBranches } from "../../../src/app/execute/push-run-branches.js";
import { withRunExtras } from "../../../src/run/build-report-model.js";
import { renderReport } from "../../../src/report/render-report.js";
import { renderRunStatus } from "../../../src/app/commands/render-run-status.js";
import { buildRunSettings, readRunSettings, reviewConfigOf, toSettingsJson, workflowSettingsOf } from "../../../src/app/run-record/run-settings.js";
import { parseRepoConfig, DEFAULT_REPO_CONFIG } from "../../../src/config/repo-config.js";
import { createProgressTracker } from "../../../src/progress/create-progress-tracker.js";
import type { ReportModel } from "../../../src/report/types.js";
import type { AgentRecord, RunOutcome } from "../../../src/runtime/types.js";
import type { RunRecord } from "../../../src/store/index.js";
import { ZERO_USAGE } from "../../../src/runtime/types.js";

const CAPS = { maxConcurrency: 32, maxAgents: 1000, maxConcurrentRuns: 4, maxConcurrencyPerInstallation: 16 };

describe("run settings", () => {
  it("keep the repository's config and resolve its limits within the deployment's ceilings", () => {
    const parsed = parseRepoConfig("caps:\n  maxConcurrency: 64\n  maxAgents: 50\nrefuters: 3\nrounds: 2\nmodules:\n  - name: api\n    globs: [src/api/**]\n");
    if (!parsed.ok) throw new Error("fixture config is invalid");
    const settings = buildRunSettings(parsed.config, CAPS);
    expect(settings.resolved.limits).toMatchObject({ maxConcurrency: 32, maxAgents: 50 });
    expect(settings.resolved.clamped).toEqual(["maxConcurrency 64 → 32"]);
    expect(reviewConfigOf(settings.config)).toEqual({ refutersPerClaim: 3, maxRounds: 2, modules: [{ name: "api", globs: ["src/api/**"] }] });
    // Stored as JSON and read back, re-resolved against today's ceilings.
    const stored = readRunSettings(toSettingsJson(settings), { ...CAPS, maxAgents: 10 });
    expect(stored.resolved.limits.maxAgents).toBe(10);
    expect(workflowSettingsOf(stored)).toMatchObject({ agentLimits: { maxTurns: 40 }, review: { refutersPerClaim: 3 }, models: parsed.config.models });
  });

  it("fall back to the defaults for a record without settings", () => {
    expect(readRunSettings(null, CAPS).config).toEqual(DEFAULT_REPO_CONFIG);
    expect(reviewConfigOf(DEFAULT_REPO_CONFIG)).toEqual({ refutersPerClaim: 2, maxRounds: 3 });
  });
});

describe("runBranches", () => {
  const agent = (id: string, branch: string | null): AgentRecord => ({
    id,
    key: id,
    label: id,
    phase: null,
    role: "worker",
    status: "finished",
    output: null,
    change: branch === null ? null : { branch, commit: "c", base: "b", files: [], additions: 0, deletions: 0, incomplete: false },
    usage: ZERO_USAGE,
    costUsd: 0,
    attempts: 1,
    meta: {},
  });
  const outcome = { agents: [agent("a2", "dynflow/r-1-work/search-2"), agent("a1", "dynflow/r-1-work/billing"), agent("a3", null), agent("a4", "dynflow/r-1-work/billing")] } as RunOutcome;

  it("pushes every worker branch with a change once, and the result branch only when something was merged", () => {
    expect(runBranches({ outcome, branch: "dynflow/r-1", reconcile: { merged: ["billing"] } as never })).toEqual([
      "dynflow/r-1-work/billing",
      "dynflow/r-1-work/search-2",
      "dynflow/r-1",
    ]);
    expect(runBranches({ outcome, branch: "dynflow/r-1", reconcile: { merged: [] } as never })).toEqual(["dynflow/r-1-work/billing", "dynflow/r-1-work/search-2"]);
    expect(refspecsOf(["dynflow/r-1"])).toEqual(["+refs/heads/dynflow/r-1:refs/heads/dynflow/r-1"]);
  });
});

describe("the report of a GitHub run", () => {
  const model: ReportModel = {
    runId: "r-1",
    task: "migrate the callers",
    workflow: null,
    repository: "acme/widgets",
    base: { commit: "0123456789abcdef0123456789abcdef01234567", branch: "main" },
    status: "ok",
    error: null,
    workers: Array.from({ length: 3_000 }, (_, i) => ({
      label: `module-${i}`,
      status: "accepted" as const,
      rounds: 2,
      verdicts: ["refuted" as const, "upheld" as const],
      change: null,
      usage: ZERO_USAGE,
      costUsd: 0.01,
      reason: `round 1 was refuted: ${"a detailed and long piece of evidence. ".repeat(20)}`,
    })),
    reconcile: { merged: [], conflicts: [] },
    totals: { agents: 2000, usage: { input: 10, output: 5, cacheWrite: 0, cacheRead: 0 }, costUsd: 1, wallMs: 1000 },
    estimate: null,
    phases: [],
    script: "export const meta = {};",
    notes: [],
  };

  it("adds the estimate, the links and the planner's spend, and stays within GitHub's limit", () => {
    const extended = withRunExtras(model, {
      estimate: { agents: 1200, tokens: 5_000_000, costUsd: 12 },
      links: { requester: "octocat", commentUrl: "https://github.com/acme/widgets/issues/42#issuecomment-9001", checkRunUrl: "https://github.com/acme/widgets/runs/7" },
      planSpend: { usage: { input: 100, output: 50, cacheWrite: 0, cacheRead: 0 }, costUsd: 0.5 },
    });
    expect(extended.totals.costUsd).toBe(1.5);
    expect(extended.totals.usage.input).toBe(110);
    const body = renderReport(extended);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("Full report: https://github.com/acme/widgets/runs/7");
    expect(body).toContain("Requested by @octocat");
  });

  it("puts the earlier refutations before the totals when there is room", () => {
    const small = { ...model, workers: model.workers.slice(0, 2) };
    const body = renderReport(small);
    expect(body.indexOf("### Earlier refutations (2)")).toBeGreaterThan(0);
    expect(body.indexOf("### Earlier refutations (2)")).toBeLessThan(body.indexOf("### Totals"));
  });
});

describe("renderRunStatus", () => {
  const record: RunRecord = {
    id: "r-1",
    installationId: 77,
    owner: "acme",
    repo: "widgets",
    issueNumber: 42,
    commandCommentId: 9001,
    requester: "octocat",
    kind: "task",
    task: "migrate the callers",
    workflow: null,
    args: null,
    baseRef: "main",
    baseSha: "0123456789abcdef0123456789abcdef01234567",
    status: "running",
    script: "export const meta = {};",
    plan: { stopAfterPlan: false, source: "single-agent", estimate: { status: "ok", error: null, agents: 3, phases: [], usage: ZERO_USAGE, tokens: 50_000, costUsd: 0.3, durationMs: 120_000, concurrency: 16 } },
    limits: null,
    statusCommentId: 1,
    checkRunId: 2,
    prNumber: null,
    result: null,
    error: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    version: 3,
  };

  it("says where a running run is, against its estimate, and how to stop it", () => {
    const tracker = createProgressTracker({ clock: { now: () => 61_000 } });
    tracker.apply({ type: "run.started", runId: "r-1", at: 1_000, meta: { name: "single-agent", description: "d" } });
    tracker.apply({ type: "agent.queued", agentId: "a1", label: "task", phase: null, role: "worker", at: 1_001 });
    tracker.apply({ type: "agent.finished", agentId: "a1", at: 2_000, usage: { input: 1000, output: 100, cacheWrite: 0, cacheRead: 0 }, costUsd: 0.02, change: null });
    const body = renderRunStatus(record, tracker.snapshot(), 61_000);
    expect(body).toContain("**dynflow run `r-1`** is running (started 1m 00s ago).");
    expect(body).toContain("**Estimate** 3 agents · 50.0k tokens · $0.30 · about 2m 00s");
    expect(body).toContain("**1/~3** agents (33%)");
    expect(body).toContain("`/dynflow cancel r-1` stops it and keeps what finished.");
  });

  it("gives the reason and the way on for a stopped run, and the pull request", () => {
    const stopped = { ...record, status: "capped" as const, error: { code: "cap_exceeded", message: "the run reached its cap of 4 agents" }, result: { pullRequest: { number: 100, url: "u", draft: true } } };
    const body = renderRunStatus(stopped, null, 2_000);
    expect(body).toContain("stopped at a cap");
    expect(body).toContain("**Why it stopped** the run reached its cap of 4 agents");
    expect(body).toContain("**Pull request** #100 (draft)");
    expect(body).toContain("`/dynflow resume r-1` continues it");
  });
});
