import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModelClient } from "../../src/agents/model/index.js";
import { runWorkflow } from "../../src/run/run-workflow.js";
import type { WorkflowStage } from "../../src/run/types.js";
import type { RunEvent } from "../../src/runtime/types.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { MIGRATION_FILES, migrationModel, migrationScript } from "../cli/migration-model.js";
import { git, makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";

describe("runWorkflow", () => {
  let api: FakeAnthropic;
  let repo: { dir: string; head: string };
  let repository: GitRepository;

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    repo = await makeRepo(MIGRATION_FILES);
    repository = await openRepository(repo.dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository.close();
    await api.close();
    await removeDir(repo.dir);
  });

  it("still reconciles and reports finished work when the run is cancelled", async () => {
    const controller = new AbortController();
    // The search worker's first call cancels the run and never gets an answer.
    api.handle((request, ctx) => {
      if (JSON.stringify(request.body.messages[0]).includes("Migrate src/search")) {
        controller.abort("the user pressed Ctrl-C");
        return reply.hang();
      }
      return migrationModel(request, ctx);
    });
    const stages: WorkflowStage[] = [];
    const events: RunEvent["type"][] = [];
    let now = Date.UTC(2026, 0, 5);
    const result = await runWorkflow({
      repository,
      repositoryName: "acme/shop",
      baseCommit: repo.head,
      baseLabel: "main",
      task: null,
      script: { source: migrationScript("sequential"), filename: "migrate.js" },
      model: createModelClient({ apiKey: "sk-test", baseURL: api.url, maxRetries: 0 }),
      newRunId: () => "r-cancel",
      clock: { now: () => (now += 10) },
      signal: controller.signal,
      gitEnv: testGitEnv(),
      onStage: (stage) => stages.push(stage),
      onEvent: (event) => events.push(event.type),
    });

    expect(result.runId).toBe("r-cancel");
    expect(result.branch).toBe("dynflow/r-cancel");
    expect(result.outcome.status).toBe("cancelled");
    expect(result.lines.map((l) => [l.label, l.status])).toEqual([
      ["src/billing", "accepted"],
      ["src/search", "failed"],
    ]);
    expect(result.reconcile.merged).toEqual(["src/billing"]);
    expect(await git(repo.dir, "show", "dynflow/r-cancel:src/billing/index.ts")).toContain("client.get");
    expect(await git(repo.dir, "show", "dynflow/r-cancel:src/search/index.ts")).toContain("fetchJson");
    expect(result.draft).toBe(true);
    expect(result.reportModel).toMatchObject({ runId: "r-cancel", repository: "acme/shop", base: { commit: repo.head, branch: "main" }, status: "cancelled", task: null, workflow: "migrate-fetch-json" });
    expect(result.reportMarkdown).toContain("**was cancelled**");
    expect(result.reportMarkdown).toContain("the user pressed Ctrl-C");
    expect(stages).toEqual(["run", "reconcile", "report"]);
    expect(events).toContain("run.finished");
    expect(result.plan).toBeNull();
  });

  it("judges a claim made after merging on the result so far, and reports its verdict", async () => {
    const AUDIT = "No module under src/ still imports fetchJson";
    // The audit's refuter searches the tree its tools read and refutes when an import is left.
    api.handle((request, ctx) => {
      const first = JSON.stringify(request.body.messages[0]);
      if (!first.includes(AUDIT)) return migrationModel(request, ctx);
      const last = request.body.messages.at(-1);
      if (request.body.messages.length === 1) return reply.toolUse("search", { pattern: "import \\{ fetchJson", glob: "src/*/*.ts" });
      const found = JSON.stringify(last.content);
      return found.includes("No matches")
        ? reply.toolUse("finish", { summary: "searched src", result: { verdict: "upheld", evidence: "no module imports fetchJson" } })
        : reply.toolUse("finish", { summary: "found imports", result: { verdict: "refuted", evidence: "src/billing/index.ts:1 still imports fetchJson" } });
    });
    const script = migrationScript("sequential").replace(
      "return results.map((r) => r.status);",
      `phase("Audit");\nconst audit = await refute({ claim: ${JSON.stringify(AUDIT)}, label: "no fetchJson left" }, { refuters: 1 });\nreturn [results.map((r) => r.status), audit.verdict];`,
    );
    const result = await runWorkflow({
      repository,
      repositoryName: "acme/shop",
      baseCommit: repo.head,
      baseLabel: "main",
      task: null,
      script: { source: script, filename: "migrate.js" },
      model: createModelClient({ apiKey: "sk-test", baseURL: api.url, maxRetries: 0 }),
      newRunId: () => "r-audit",
      gitEnv: testGitEnv(),
    });

    // At the base the audit is false (both modules import fetchJson); on the merged result it holds.
    expect(result.outcome.result).toEqual([["accepted", "accepted"], "upheld"]);
    expect(result.reportModel.claims).toMatchObject([
      { label: "no fetchJson left", claim: AUDIT, verdict: "upheld", judged: { kind: "result", merged: ["src/billing", "src/search"], left: [] } },
    ]);
    const judged = result.reportModel.claims?.[0]?.judged;
    const judgedCommit = judged?.kind === "result" ? judged.commit : "";
    expect(await git(repo.dir, "show", `${judgedCommit}:src/search/index.ts`)).toContain("encodeURIComponent");
    // The tree the claim was judged on is the one reconciliation then built.
    expect(await git(repo.dir, "rev-parse", `${judgedCommit}^{tree}`)).toBe(await git(repo.dir, "rev-parse", "dynflow/r-audit^{tree}"));
    expect(result.reportMarkdown).toContain("### Claims (1)");
    expect(result.reportMarkdown).toMatch(/\*\*no fetchJson left\*\*: upheld, judged on the run's result so far/);
    expect(result.draft).toBe(false);
  });

  it("makes the pull request a draft when a claim about the result is refuted", async () => {
    api.handle((request, ctx) => {
      const first = JSON.stringify(request.body.messages[0]);
      if (first.includes("Every module is documented")) {
        return reply.toolUse("finish", { summary: "looked", result: { verdict: "refuted", evidence: "src/billing has no README" } });
      }
      return migrationModel(request, ctx);
    });
    const script = migrationScript("sequential").replace(
      "return results.map((r) => r.status);",
      `await refute({ claim: "Every module is documented", label: "docs" }, { refuters: 1 });\nreturn results.map((r) => r.status);`,
    );
    const result = await runWorkflow({
      repository,
      repositoryName: "acme/shop",
      baseCommit: repo.head,
      baseLabel: "main",
      task: null,
      script: { source: script, filename: "migrate.js" },
      model: createModelClient({ apiKey: "sk-test", baseURL: api.url, maxRetries: 0 }),
      newRunId: () => "r-audit-refuted",
      gitEnv: testGitEnv(),
    });
    expect(result.reportModel.claims).toMatchObject([{ label: "docs", verdict: "refuted", evidence: "src/billing has no README" }]);
    expect(result.draft).toBe(true);
    expect(result.draftReasons).toContain("1 claim was refuted");
    expect(result.reportMarkdown).toContain("src/billing has no README");
  });
});
