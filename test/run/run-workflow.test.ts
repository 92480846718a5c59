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
});
