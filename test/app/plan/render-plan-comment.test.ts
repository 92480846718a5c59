import { describe, expect, it } from "vitest";
import type { PlanEstimate } from "../../../src/simulate/estimate-plan.js";
import { renderPlanComment, renderPlanKind } from "../../../src/app/plan/render-plan-comment.js";
import type { RunFacts } from "../../../src/app/surfaces/render-run-comments.js";
import type { StoredPlan } from "../../../src/app/run-record/stored-plan.js";

const run: RunFacts = {
  id: "r-7k2x9",
  kind: "task",
  task: "migrate all callers of fetchJson to ApiClient",
  workflow: null,
  args: { task: "migrate all callers of fetchJson to ApiClient" },
  requester: "octocat",
  baseRef: "main",
  baseSha: "0123456789abcdef0123456789abcdef01234567",
};

const estimate: PlanEstimate = {
  status: "ok",
  error: null,
  agents: 30,
  phases: [
    { title: "Survey", agents: 0 },
    { title: "Migrate", agents: 30 },
  ],
  usage: { input: 600_000, output: 60_000, cacheWrite: 120_000, cacheRead: 420_000 },
  tokens: 1_200_000,
  costUsd: 4.2,
  durationMs: 252_000,
  concurrency: 16,
};

const plan: StoredPlan = {
  stopAfterPlan: false,
  source: "single-agent",
  reason: "the task's 3 relevant files (~1,200 tokens) fit in one agent's context (up to 60,000 tokens)",
  rationale: null,
  estimate,
  approval: { required: true, reasons: ["about 30 agents, above the approval threshold of 25"] },
};

const SCRIPT = 'export const meta = { name: "single-agent", description: "d" };\nawait converge(args.task, { label: "task" });\n';

describe("renderPlanComment", () => {
  it("shows the plan kind and why, the estimate, the approval reasons and how to approve, and the script collapsed", () => {
    const body = renderPlanComment({ run, plan, script: SCRIPT, next: "approval" });
    expect(body).toContain("### 📋 dynflow run `r-7k2x9` is waiting for approval");
    expect(body).toContain("**Task** migrate all callers of fetchJson to ApiClient");
    expect(body).toContain("**Base** `main` at `0123456789ab` · requested by @octocat");
    expect(body).toContain("**Plan** one agent and its refuters: the task's 3 relevant files (\\~1,200 tokens) fit in one agent's context");
    expect(body).toContain(
      [
        "| Estimate | |",
        "|---|---|",
        "| Agents | 30 (at most 16 at once) |",
        "| Phases | 2: Survey (0), Migrate (30) |",
        "| Tokens | 1.20M |",
        "| Cost | $4.20 |",
        "| Duration | about 4m 12s |",
      ].join("\n"),
    );
    expect(body).toContain("Approval is needed: about 30 agents, above the approval threshold of 25. Comment `/dynflow approve r-7k2x9` to start it");
    expect(body).toContain("<details>\n<summary>Plan script (2 lines)</summary>");
    expect(body).toContain(SCRIPT.trimEnd());
  });

  it("tells a /dynflow plan that nothing runs until someone approves", () => {
    const body = renderPlanComment({ run, plan: { ...plan, stopAfterPlan: true }, script: SCRIPT, next: "plan-only" });
    expect(body).toContain("### 📋 dynflow run `r-7k2x9` is planned");
    expect(body).toContain("This was `/dynflow plan`: nothing runs until someone with write access comments `/dynflow approve r-7k2x9`.");
  });

  it("warns when the simulation stopped at a cap or failed", () => {
    const capped = renderPlanComment({
      run,
      plan: { ...plan, estimate: { ...estimate, status: "capped", error: { code: "cap_exceeded", message: "the run reached its cap of 25 agents" } } },
      script: SCRIPT,
      next: "approval",
    });
    expect(capped).toContain("**The run would stop early:** the run reached its cap of 25 agents.");
    const failed = renderPlanComment({
      run,
      plan: { ...plan, estimate: { ...estimate, status: "error", error: { code: "script_error", message: "x is not defined", line: 7 } } },
      script: SCRIPT,
      next: "approval",
    });
    expect(failed).toContain("**The script failed in the simulation at line 7:** x is not defined.");
  });

  it("escapes what the model and the task wrote, and leaves out a script too long for a comment", () => {
    const hostile: StoredPlan = { ...plan, source: "model-written", rationale: "<img src=x> ping @everyone" };
    const body = renderPlanComment({ run: { ...run, task: "fix <script>alert(1)</script> for @team" }, plan: hostile, script: "x".repeat(70_000), next: "approval" });
    expect(body).not.toContain("<img");
    expect(body).not.toContain("<script>");
    expect(body).not.toMatch(/@everyone|@team/);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("The plan script (70,000 characters) is too long to show here.");
  });

  it("names the saved workflow's file", () => {
    expect(renderPlanKind({ stopAfterPlan: false, source: "saved-workflow", filename: ".claude/workflows/migrate-fetch.js" })).toBe(
      "**Plan** the saved workflow `.claude/workflows/migrate-fetch.js`.",
    );
    expect(renderPlanKind({ stopAfterPlan: false, source: "saved-workflow", filename: "workflows/audit.js" })).toBe("**Plan** the bundled workflow `workflows/audit.js`.");
  });
});

describe("renderPlanKind, modules", () => {
  it("says what the detected modules do not cover", () => {
    const text = renderPlanKind({
      ...plan,
      source: "model-written",
      rationale: null,
      modulesNote: "16 of 2230 files are in no detected module: 14 in .github/, 2 at the root",
    });
    expect(text).toContain("**Not covered by the detected modules:** 16 of 2230 files are in no detected module: 14 in .github/, 2 at the root.");
    expect(text).toContain("Define `modules` in `.github/dynflow.yml`");
  });
});
