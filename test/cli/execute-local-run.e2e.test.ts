/**
 * `dynflow run` and `dynflow resume` under the same rules, with the local
 * store: one JSON object and exit 1 whenever a run fails before its report
 * (and the store records it, so `dynflow show` and `dynflow resume` see it),
 * Ctrl-C on a resumed run, `.github/dynflow.yml` at the base with the run's
 * flags over it on resume too, and `--workflow` runs kept and resumed.
 * Real temp repositories, the real SDK against the local fake Messages API.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";
import type { FailedRunJson, RunJson } from "../../src/cli/to-run-json.js";
import { openLocalStore } from "../../src/local-runs/open-local-store.js";
import { spareSandboxCount, spareSandboxStats, stopSpareSandboxes } from "../../src/runtime/sandbox/start-sandbox.js";
import type { RunRecord } from "../../src/store/index.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeHandler, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { MIGRATION_FILES, migrationModel, migrationScript } from "./migration-model.js";

function cliWith(env: Record<string, string | undefined>, cwd: string) {
  let out = "";
  let err = "";
  let listener: (() => void) | null = null;
  const exits: number[] = [];
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    cwd,
    isTty: false,
    env,
    onInterrupt: (next) => {
      listener = next;
      return () => void (listener = null);
    },
    exit: (code) => void exits.push(code),
  };
  return { io, out: () => out, err: () => err, interrupt: () => listener?.(), exits };
}

const isWorker = (request: RecordedRequest, module: string) =>
  JSON.stringify(request.body.system).includes("You are a worker agent") && request.body.messages.length === 1 && JSON.stringify(request.body.messages[0]).includes(`Migrate ${module} `);

describe("dynflow run and resume: the same rules, with the local store", () => {
  let api: FakeAnthropic;
  let handler: FakeHandler;
  let repo: { dir: string; head: string };
  let scripts: string;
  let env: Record<string, string | undefined>;

  async function storedRun(dir: string, runId: string): Promise<RunRecord | undefined> {
    const store = await openLocalStore(await git(dir, "rev-parse", "--absolute-git-dir"));
    try {
      return await store.runs.get(runId);
    } finally {
      await store.close();
    }
  }

  async function cli(argv: string[], cwd = scripts) {
    const c = cliWith(env, cwd);
    const code = await main(argv, c.io);
    return { code, out: c.out(), err: c.err() };
  }

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    api.handle((request, ctx) => handler(request, ctx));
    scripts = await tempDir("dynflow-local-run-scripts-");
    await writeFile(join(scripts, "sequential.js"), migrationScript("sequential"));
  });
  afterAll(async () => {
    await api.close();
    await removeDir(scripts);
  });
  beforeEach(async () => {
    handler = migrationModel;
    repo = await makeRepo(MIGRATION_FILES);
    env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: api.url };
  });
  afterEach(async () => {
    await removeDir(repo.dir);
  });

  it("starts the script's sandbox first, before the repository is opened, and the run takes that one", async () => {
    await stopSpareSandboxes();
    const before = spareSandboxStats();
    const run = await cli(["run", "--repo", repo.dir, "--script", "sequential.js", "--json"]);
    expect(run.code).toBe(0);
    const after = spareSandboxStats();
    // One sandbox for the run, started ahead and taken: the settings, once read, asked for the same limits.
    expect([after.started - before.started, after.taken - before.taken]).toEqual([1, 1]);

    // A directory that is no repository fails the command at its first step; the sandbox was already on its way.
    const notARepo = await tempDir("dynflow-not-a-repo-");
    try {
      expect((await cli(["run", "--repo", notARepo, "--script", "sequential.js", "--json"])).code).not.toBe(0);
      expect(spareSandboxCount()).toBe(1);
    } finally {
      await stopSpareSandboxes();
      await removeDir(notARepo);
    }
  });

  it("resume prints exactly one JSON object and exits 1 when the run cannot be resumed", async () => {
    const unknown = await cli(["resume", "nope1234", "--repo", repo.dir, "--json"]);
    expect(unknown.code).toBe(1);
    expect(unknown.out.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(unknown.out)).toMatchObject({ status: "error", runId: "nope1234", branch: null, report: null, error: { code: "local_run_not_found" } });
    expect(unknown.err).toContain("there is no run nope1234");
  });

  it("records a run whose base git refused as failed: show lists it with the reason, resume says why it cannot go on", async () => {
    const run = await cli(["run", "--repo", repo.dir, "--script", "sequential.js", "--base", "no-such-rev", "--json"]);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.out) as FailedRunJson;
    expect(json).toMatchObject({ status: "error", branch: null, error: { message: expect.stringContaining("no-such-rev") } });
    expect(await storedRun(repo.dir, json.runId)).toMatchObject({ status: "error", baseSha: null, baseRef: "no-such-rev", error: { message: expect.stringContaining("no-such-rev") } });

    const shown = await cli(["show", json.runId], repo.dir);
    expect(shown.out).toContain(`Run ${json.runId}: error`);
    expect(shown.out).toMatch(/Error +.*no-such-rev/);
    const resumed = await cli(["resume", json.runId, "--json"], repo.dir);
    expect(resumed.code).toBe(1);
    expect(JSON.parse(resumed.out)).toMatchObject({ status: "error", runId: json.runId, error: { code: "local_run_unreadable" } });
  });

  it("records a failed plan in the store with the command line's advice and what planning cost; resume plans again", async () => {
    const big = await makeRepo({ ...MIGRATION_FILES, "src/legacy.ts": "export const a = fetchJson('/legacy');\n".repeat(12_000) });
    handler = () => reply.text("I would rather not write a script.");
    try {
      const run = await cli(["run", "--repo", big.dir, "--task", "migrate every fetchJson caller to client.get", "--json"]);
      expect(run.code).toBe(1);
      const json = JSON.parse(run.out) as FailedRunJson;
      expect(json.error?.code).toBe("plan_failed");
      const stored = await storedRun(big.dir, json.runId);
      expect(stored).toMatchObject({ status: "error", script: null, error: { code: "plan_failed", message: json.error?.message }, result: { agents: 0, costUsd: json.costUsd } });
      expect(stored?.error?.message).toContain("dynflow run --repo <path> --script <file.js>");
      expect(stored?.error?.message).not.toContain("/dynflow run");
      expect((await cli(["show"], big.dir)).out).toMatch(new RegExp(`^${json.runId} +error +0 agents +\\$0\\.\\d{4}`, "m"));

      const before = api.requests.length;
      const resumed = await cli(["resume", json.runId, "--json"], big.dir);
      expect(resumed.code).toBe(1);
      expect(resumed.out.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(resumed.out)).toMatchObject({ status: "error", runId: json.runId, error: { code: "plan_failed" } });
      expect(api.requests.length).toBeGreaterThan(before);
    } finally {
      await removeDir(big.dir);
    }
  }, 90_000);

  it("resume reads .github/dynflow.yml at the base with the run's flags over it, and its own flags over those", async () => {
    const configured = await makeRepo({ ...MIGRATION_FILES, ".github/dynflow.yml": "refuters: 1\nrounds: 1\n" });
    try {
      // The billing worker and its one refuter, then the cap.
      const first = await cli(["run", "--repo", configured.dir, "--script", "sequential.js", "--rounds", "2", "--max-agents", "2", "--json"]);
      expect(first.code).toBe(1);
      const capped = JSON.parse(first.out) as RunJson;
      expect(capped).toMatchObject({ status: "capped", agents: { total: 2 } });

      const resumed = await cli(["resume", capped.runId, "--max-agents", "20", "--json"], configured.dir);
      expect(resumed.code).toBe(0);
      const json = JSON.parse(resumed.out) as RunJson;
      // One refuter per change (the file), two rounds (the run's flag over the file's 1): search is redone and accepted.
      expect(json.workers.map((w) => [w.label, w.status, w.rounds])).toEqual([
        ["src/billing", "accepted", 1],
        ["src/search", "accepted", 2],
      ]);
      expect(json.agents).toMatchObject({ total: 6, cached: 2 });
      expect((await storedRun(configured.dir, capped.runId))?.limits).toEqual({ limits: { maxAgents: 20 }, review: { maxRounds: 2 } });
    } finally {
      await removeDir(configured.dir);
    }
  }, 60_000);

  it("keeps a --workflow run in the store and resumes it with the same script, paying nothing twice", async () => {
    const args = JSON.stringify({ task: "Migrate src/billing from fetchJson to client.get", targets: [{ name: "src/billing", write: ["src/billing/**"] }] });
    const first = await cli(["run", "--repo", repo.dir, "--workflow", "migrate", "--args", args, "--max-agents", "1"]);
    expect(first.code).toBe(1);
    const runId = /^dynflow run (\w+) stopped at a cap\./.exec(first.out)?.[1] ?? "";
    expect(first.out).toContain(`dynflow resume ${runId} --repo ${repo.dir}`);
    const stored = await storedRun(repo.dir, runId);
    expect(stored).toMatchObject({ status: "capped", kind: "workflow", args: JSON.parse(args) });
    expect(stored?.script).toContain('name: "migrate"');
    const workerCalls = api.requests.filter((r) => isWorker(r, "src/billing")).length;

    const resumed = await cli(["resume", runId, "--max-agents", "10", "--json"], repo.dir);
    expect(resumed.code).toBe(0);
    const json = JSON.parse(resumed.out) as RunJson;
    expect(json).toMatchObject({ status: "ok", runId, agents: { cached: 1 }, result: { summary: { accepted: 1 } } });
    expect(api.requests.filter((r) => isWorker(r, "src/billing")).length).toBe(workerCalls);
  }, 60_000);

  it("first Ctrl-C on a resumed run stops it, merges and reports what finished, and keeps it resumable", async () => {
    const first = await cli(["run", "--repo", repo.dir, "--script", "sequential.js", "--max-agents", "3", "--json"]);
    const { runId } = JSON.parse(first.out) as RunJson;

    // The search worker never answers this time; Ctrl-C once it has started.
    const resuming = cliWith(env, repo.dir);
    handler = (request, ctx) => {
      if (!isWorker(request, "src/search")) return migrationModel(request, ctx);
      resuming.interrupt();
      return reply.hang();
    };
    expect(await main(["resume", runId, "--max-agents", "20"], resuming.io)).toBe(1);
    expect(resuming.err()).toContain("dynflow: stopping (Ctrl-C)");
    expect(resuming.exits).toEqual([]);
    expect(resuming.out()).toContain(`dynflow run ${runId} cancelled.`);
    expect(resuming.out()).toMatch(/src\/billing +accepted/);
    expect(resuming.out()).toContain(`dynflow resume ${runId} --repo ${repo.dir}`);
    expect(await git(repo.dir, "show", `dynflow/${runId}:src/billing/index.ts`)).toContain("client.get");
    expect(await storedRun(repo.dir, runId)).toMatchObject({ status: "cancelled" });

    handler = migrationModel;
    const again = await cli(["resume", runId, "--json"], repo.dir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ status: "ok", agents: { cached: 3 } });
  }, 60_000);
});
