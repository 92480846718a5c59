import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";
import { fakeChange, runWithReview, scriptedRunner, verdict, type Answer } from "./review-harness.js";
import type { AgentRequest } from "../../src/runtime/types.js";

function upholdAll(request: AgentRequest): Answer {
  const label = request.options.label ?? "";
  return request.options.role === "worker" ? { output: `did ${label}`, change: fakeChange(label) } : verdict("upheld", "fine");
}

describe("caps", () => {
  it("keeps finished work when maxAgents stops the run: a change whose review was cut short is merged unreviewed", async () => {
    const runner = scriptedRunner(upholdAll);
    const { outcome, results } = await runWithReview(
      `
await converge("Migrate billing", { label: "billing" });
await converge("Migrate search", { label: "search" });
await converge("Migrate auth", { label: "auth" });
`,
      { runner, limits: { maxAgents: 4 } },
    );
    expect(outcome.status).toBe("capped");
    expect(results.workers.map((w) => [w.label, w.status])).toEqual([
      ["billing", "accepted"],
      ["search", "unreviewed"],
    ]);
    const search = results.workers[1];
    expect(search?.change?.branch).toBe("dynflow/r1/search");
    expect(search?.reason).toContain("cap of 4 agents");
    expect(search?.reason).toContain("the run stopped before its review finished");
    expect(results.toMerge.map((m) => m.label)).toEqual(["billing", "search"]);
  });

  it("runs the calls accepted under the cap, and reports capped the lines whose workers never started", async () => {
    const runner = scriptedRunner(upholdAll);
    const { outcome, results } = await runWithReview(
      `await parallel(["a", "b"].map((m) => () => converge("Migrate " + m, { label: m })));`,
      { runner, limits: { maxAgents: 1 } },
    );
    expect(outcome.status).toBe("capped");
    // The second call hits the cap; the first, accepted within the cap, still runs.
    expect(runner.calls).toHaveLength(1);
    expect(outcome.agents.map((a) => [a.label, a.attempts])).toEqual([["a", 1]]);
    expect(results.workers.map((w) => [w.label, w.status])).toEqual([
      ["a", "unreviewed"],
      ["b", "capped"],
    ]);
    expect(results.workers[1]?.change).toBeNull();
    expect(results.workers[1]?.reason).toContain("cap of 1 agents");
    expect(results.toMerge.map((m) => m.label)).toEqual(["a"]);
  });

  it("reports the budget as the reason when it stops the refuters", async () => {
    const runner = scriptedRunner(upholdAll);
    const { outcome, results } = await runWithReview(`await converge("Migrate a", { label: "a" });`, {
      runner,
      limits: { budgetTokens: 100 },
    });
    expect(outcome.status).toBe("budget-exhausted");
    expect(results.workers).toMatchObject([{ label: "a", status: "unreviewed" }]);
    expect(results.workers[0]?.reason).toContain("budget");
    expect(results.workers[0]?.usage.input).toBe(100);
  });
});

describe("repo.files() and repo.modules()", () => {
  let repo: { dir: string; head: string };
  let repository: GitRepository;

  beforeAll(async () => {
    repo = await makeRepo({
      "package.json": "{}",
      "packages/api/package.json": "{}",
      "packages/api/src/server.ts": "export {}\n",
      "packages/web/package.json": "{}",
      "packages/web/src/app.tsx": "export {}\n",
      "packages/notes/README.md": "no manifest here\n",
      "docs/guide.md": "# guide\n",
    });
    repository = await openRepository(repo.dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository.close();
    await removeDir(repo.dir);
  });

  it("lists tracked files at the base commit, filtered by a glob, without an agent", async () => {
    const runner = scriptedRunner(() => ({ output: "unused" }));
    const { outcome } = await runWithReview(`return [await repo.files(), await repo.files("packages/*/src/**"), await repo.files("*.md")];`, {
      runner,
      repository,
      base: repo.head,
    });
    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual([
      [
        "docs/guide.md",
        "package.json",
        "packages/api/package.json",
        "packages/api/src/server.ts",
        "packages/notes/README.md",
        "packages/web/package.json",
        "packages/web/src/app.tsx",
      ],
      ["packages/api/src/server.ts", "packages/web/src/app.tsx"],
      ["docs/guide.md", "packages/notes/README.md"],
    ]);
    expect(runner.calls).toHaveLength(0);
    expect(outcome.usage.input).toBe(0);
  });

  it("detects modules that cover the repository: workspace packages and the directories beside them", async () => {
    const { outcome } = await runWithReview(`return await repo.modules();`, { runner: scriptedRunner(() => ({ output: "" })), repository, base: repo.head });
    expect(outcome.result).toEqual([
      { name: "docs", globs: ["docs/**"], files: 1 },
      { name: "packages/api", globs: ["packages/api/**"], files: 2 },
      { name: "packages/notes", globs: ["packages/notes/**"], files: 1 },
      { name: "packages/web", globs: ["packages/web/**"], files: 2 },
    ]);
  });

  it("uses the modules of the repository config when it has some", async () => {
    const { outcome } = await runWithReview(`return await repo.modules();`, {
      runner: scriptedRunner(() => ({ output: "" })),
      repository,
      base: repo.head,
      config: { modules: [{ name: "docs", globs: ["docs/**", "**/*.md"] }] },
    });
    expect(outcome.result).toEqual([{ name: "docs", globs: ["docs/**", "**/*.md"], files: 2 }]);
  });
});
