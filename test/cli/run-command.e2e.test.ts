/**
 * `dynflow run --script` end to end: a real temp repository, the real SDK
 * through the model client against a local fake of the Messages API, real
 * agents, refuters, git merges and the report file.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import type { RunJson } from "../../src/cli/to-run-json.js";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { MIGRATION_FILES, REFUTATION, migrationModel, migrationScript } from "./migration-model.js";

interface Captured {
  io: CliIo;
  out: () => string;
  err: () => string;
}

function captureIo(env: Record<string, string | undefined>, cwd: string): Captured {
  let out = "";
  let err = "";
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, isTty: false, env },
    out: () => out,
    err: () => err,
  };
}

/** The user's checkout as git sees it: HEAD, branch, index bytes, status. */
async function checkoutState(dir: string) {
  const index = await readFile(join(dir, ".git", "index"));
  return {
    head: await git(dir, "rev-parse", "HEAD"),
    branch: await git(dir, "symbolic-ref", "HEAD"),
    index: createHash("sha256").update(index).digest("hex"),
    status: await git(dir, "status", "--porcelain"),
    readme: await readFile(join(dir, "README.md"), "utf8"),
  };
}

describe("dynflow run --script (end to end)", () => {
  let api: FakeAnthropic;
  let repo: { dir: string; head: string };
  let scripts: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    api.handle(migrationModel);
    scripts = await tempDir("dynflow-run-scripts-");
    await writeFile(join(scripts, "parallel.js"), migrationScript("parallel"));
    await writeFile(join(scripts, "sequential.js"), migrationScript("sequential"));
  });
  afterAll(async () => {
    await api.close();
    await removeDir(scripts);
  });
  beforeEach(async () => {
    repo = await makeRepo(MIGRATION_FILES);
    // A user mid-work: one staged and one unstaged change that the run must leave alone.
    await writeFile(join(repo.dir, "README.md"), "# shop\n\nwork in progress\n");
    await writeFile(join(repo.dir, "NOTES.md"), "staged\n");
    await git(repo.dir, "add", "NOTES.md");
    env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: api.url };
  });
  afterEach(async () => {
    await removeDir(repo.dir);
  });

  it("refutes, redoes and merges both modules into dynflow/<run-id>, and reports what was refuted and why", async () => {
    const before = await checkoutState(repo.dir);
    const cli = captureIo(env, scripts);
    const code = await main(["run", "--repo", repo.dir, "--script", "parallel.js", "--json"], cli.io);
    expect(cli.err()).not.toContain("agent failed");
    expect(code).toBe(0);

    const json = JSON.parse(cli.out()) as RunJson;
    expect(cli.out().trim().split("\n")).toHaveLength(1);
    expect(json).toMatchObject({
      status: "ok",
      branch: `dynflow/${json.runId}`,
      agents: { total: 9, failed: 0, cached: 0 },
      draft: false,
    });
    const workBranch = expect.stringMatching(new RegExp(`^dynflow/${json.runId}-work/`));
    expect(json.workers).toEqual([
      {
        label: "src/billing",
        status: "accepted",
        rounds: 1,
        verdicts: ["upheld"],
        branch: workBranch,
        files: ["src/billing/index.ts"],
        additions: 2,
        deletions: 2,
      },
      {
        label: "src/search",
        status: "accepted",
        rounds: 2,
        verdicts: ["refuted", "upheld"],
        branch: workBranch,
        files: ["src/search/index.ts"],
        additions: 2,
        deletions: 2,
      },
    ]);
    expect(json.tokens.input + json.tokens.cacheWrite + json.tokens.cacheRead).toBeGreaterThan(0);
    expect(json.costUsd).toBeGreaterThan(0);

    // The result branch holds both changes, the second round's search fix included.
    expect(await git(repo.dir, "rev-parse", json.branch)).toBe(json.commit);
    expect(await git(repo.dir, "show", `${json.branch}:src/billing/index.ts`)).toContain('client.get("/billing/invoices")');
    expect(await git(repo.dir, "show", `${json.branch}:src/search/index.ts`)).toContain("encodeURIComponent(q)");
    expect(await git(repo.dir, "merge-base", "--is-ancestor", repo.head, json.branch)).toBe("");

    // Every worker branch exists, the refuted first round's too (3 workers in all).
    const workerBranches = (await git(repo.dir, "for-each-ref", "--format=%(refname:short)", `refs/heads/dynflow/${json.runId}-work/`)).split("\n");
    expect(workerBranches).toHaveLength(3);
    for (const worker of json.workers) expect(workerBranches).toContain(worker.branch);
    const firstSearch = workerBranches.find((b) => b !== json.workers[0]?.branch && b !== json.workers[1]?.branch) as string;
    expect(await git(repo.dir, "show", `${firstSearch}:src/search/index.ts`)).toContain('client.get("/search?q=" + q)');

    // The report is where the JSON says, and says what was refuted and why.
    const gitDir = await git(repo.dir, "rev-parse", "--absolute-git-dir");
    expect(json.report).toBe(join(gitDir, "dynflow", "runs", json.runId, "report.md"));
    const report = await readFile(json.report, "utf8");
    expect(report).toContain(`dynflow run \`${json.runId}\``);
    expect(report).toContain("| src/search | accepted | 2 | refuted → upheld |");
    expect(report).toContain("### Earlier refutations (1)");
    expect(report).toContain("without encodeURIComponent");

    // The second round's worker was told the evidence.
    const fixRequest = api.requests.find((r) => JSON.stringify(r.body.messages[0]).includes("Review feedback (round 1)"));
    expect(JSON.stringify(fixRequest?.body.messages[0])).toContain(REFUTATION);

    // The user's checkout is untouched.
    expect(await checkoutState(repo.dir)).toEqual(before);
  });

  it("reconciles finished work and reports `capped` when --max-agents stops the run", async () => {
    const before = await checkoutState(repo.dir);
    const cli = captureIo(env, scripts);
    const code = await main(["run", "--repo", repo.dir, "--script", "sequential.js", "--max-agents", "4", "--json"], cli.io);
    expect(code).toBe(1);

    const json = JSON.parse(cli.out()) as RunJson;
    expect(json.status).toBe("capped");
    expect(json.draft).toBe(true);
    expect(json.workers.map((w) => [w.label, w.status])).toEqual([
      ["src/billing", "accepted"],
      ["src/search", "capped"],
    ]);
    expect(await git(repo.dir, "show", `${json.branch}:src/billing/index.ts`)).toContain("client.get");
    expect(await git(repo.dir, "show", `${json.branch}:src/search/index.ts`)).toContain("fetchJson");

    const report = await readFile(json.report, "utf8");
    expect(report).toContain("**stopped at a cap**");
    expect(report).toContain("### Capped (1)");
    expect(report).toContain("cap of 4 agents");
    expect(cli.err()).toContain("phase: Migrate");
    expect(await checkoutState(repo.dir)).toEqual(before);
  });

  it("plans a task that fits one agent without a model call, then runs it", async () => {
    const cli = captureIo(env, scripts);
    const task = "Migrate src/billing from fetchJson to client.get";
    const code = await main(["run", "--repo", repo.dir, "--task", task, "--json"], cli.io);
    expect(code).toBe(0);
    const json = JSON.parse(cli.out()) as RunJson;
    expect(json.workers).toMatchObject([{ label: task, status: "accepted", files: ["src/billing/index.ts"] }]);
    expect(await git(repo.dir, "show", `${json.branch}:src/billing/index.ts`)).toContain("client.get");
    const report = await readFile(json.report, "utf8");
    expect(report).toContain("for the task “Migrate src/billing from fetchJson to client.get”");
    expect(report).toContain('name: "single-agent"');
    expect(cli.err()).toContain("planning…");
  });

  it("prints a summary with the branch and the report path without --json", async () => {
    const cli = captureIo(env, scripts);
    const code = await main(["run", "--repo", repo.dir, "--script", "sequential.js", "--refuters", "1"], cli.io);
    expect(code).toBe(0);
    const branch = /Branch: {2}(dynflow\/[0-9a-f]+) at /.exec(cli.out())?.[1];
    expect(branch).toBeDefined();
    expect(await git(repo.dir, "rev-parse", "--verify", branch as string)).toMatch(/^[0-9a-f]{40}$/);
    const reportPath = /Report: {2}(.+report\.md)$/m.exec(cli.out())?.[1] as string;
    expect(await readFile(reportPath, "utf8")).toContain("refuted → upheld");
    expect(cli.out()).toContain("2 of 2 workers merged");
  });
});

describe("dynflow run usage", () => {
  const env = { ANTHROPIC_API_KEY: "sk-test-key" };

  it.each([
    [["run"], "--repo is required"],
    [["run", "--repo", "."], "give either --task or --script"],
    [["run", "--repo", ".", "--task", "x", "--script", "a.js"], "give either --task or --script"],
    [["run", "--repo", ".", "--task", "x", "--args", "{}"], "--args goes with --script"],
    [["run", "--repo", ".", "--task", "x", "--refuters", "0"], "--refuters must be a whole number from 1 to 16"],
    [["run", "--repo", ".", "--task", "x", "--bogus"], "Unknown option '--bogus'"],
  ])("%j exits 2 with the usage text", async (argv, message) => {
    const cli = captureIo(env, process.cwd());
    expect(await main(argv, cli.io)).toBe(2);
    expect(cli.err()).toContain(message);
    expect(cli.err()).toContain("Usage: dynflow run --repo <path>");
    expect(cli.out()).toBe("");
  });

  it("asks for the API key when it is missing", async () => {
    const cli = captureIo({}, process.cwd());
    expect(await main(["run", "--repo", ".", "--task", "x"], cli.io)).toBe(2);
    expect(cli.err()).toContain("ANTHROPIC_API_KEY is not set");
  });

  it("says when --repo is not a git repository", async () => {
    const dir = await tempDir("dynflow-not-a-repo-");
    try {
      const cli = captureIo({ ...testGitEnv(), ...env, GIT_CEILING_DIRECTORIES: join(dir, "..") }, dir);
      expect(await main(["run", "--repo", dir, "--task", "x"], cli.io)).toBe(2);
      expect(cli.err()).toContain("is not a git repository");
    } finally {
      await removeDir(dir);
    }
  });

  it("resolves workflow(name) to the repository's saved workflow at the base commit, then to bundled ones", async () => {
    const helper = `export const meta = { name: "helper", description: "doubles" }\nreturn { doubled: args.n * 2 }\n`;
    const withHelper = await makeRepo({ ...MIGRATION_FILES, ".claude/workflows/helper.js": helper });
    const scripts = await tempDir("dynflow-nested-scripts-");
    const env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: "http://127.0.0.1:9" };
    try {
      await writeFile(join(scripts, "nested.js"), `export const meta = { name: "nested", description: "d" }\nreturn await workflow("helper", { n: 21 })\n`);
      const ok = captureIo(env, scripts);
      expect(await main(["run", "--repo", withHelper.dir, "--script", "nested.js", "--json"], ok.io)).toBe(0);
      expect(JSON.parse(ok.out())).toMatchObject({ status: "ok" });

      await writeFile(join(scripts, "missing.js"), `export const meta = { name: "missing", description: "d" }\nreturn await workflow("no-such-flow")\n`);
      const missing = captureIo(env, scripts);
      expect(await main(["run", "--repo", withHelper.dir, "--script", "missing.js", "--json"], missing.io)).toBe(1);
      const report = await readFile(JSON.parse(missing.out()).report, "utf8");
      expect(report).toMatch(/no-such-flow/);
      expect(report).toMatch(/audit, migrate, review/);
    } finally {
      await removeDir(withHelper.dir);
      await removeDir(scripts);
    }
  });
});
