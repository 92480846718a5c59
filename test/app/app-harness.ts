/**
 * The whole app for end-to-end tests: Probot receiving webhook fixtures,
 * GitHub faked through nock (`fake-github.ts`), a real bare repository as
 * the remote (its path is the fixture's `clone_url`), a real SQLite store,
 * the model served by the fake Messages API through the real SDK, and
 * deterministic run ids and clock.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createBatchModelClient } from "../../src/agents/model/batch/index.js";
import { createModelClient, DEFAULT_PRICES } from "../../src/agents/model/index.js";
import { createCancelRegistry } from "../../src/app/steps/cancel-registry.js";
import { createInProcessRunQueue } from "../../src/queue/runs/run-queue.js";
import type { RunServices } from "../../src/app/services/types.js";
import dynflowApp, { type AppOptions } from "../../src/index.js";
import { openStore } from "../../src/store/index.js";
import { migrationModel, migrationScript, MIGRATION_FILES } from "../cli/migration-model.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeHandler } from "../fakes/fake-anthropic.js";
import { makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { fakeGitHub, type FakeGitHub, type FakeGitHubOptions } from "./fake-github.js";

const exec = promisify(execFile);
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

/** A file the task names that is too large for one agent's context, so the planner model writes the plan. */
const LARGE_COMPAT_FILE = `// Compatibility layer for code that still calls fetchJson.\n${"export const legacyCompatibilityNote = 'kept for old callers';\n".repeat(5_000)}`;

/**
 * A saved workflow that migrates the modules named in `args.modules` (all
 * modules without args), one after another.
 */
export const SAVED_WORKFLOW = `export const meta = { name: "migrate-fetch", description: "Move modules from fetchJson to client.get", phases: [{ title: "Migrate" }] };

phase("Migrate");
const wanted = args && Array.isArray(args.modules) ? args.modules : [];
const modules = (await repo.modules()).filter((m) => wanted.length === 0 || wanted.includes(m.name));
log("migrating " + modules.map((m) => m.name).join(", "));
const results = [];
for (const m of modules) results.push(await converge("Migrate " + m.name + " from fetchJson to client.get", { label: m.name, write: m.globs }));
return results.map((r) => r.status);
`;

/** The repository every test starts from: the two-module migration, a large compat file, the saved workflow. */
export const REPO_FILES: Record<string, string> = {
  ...MIGRATION_FILES,
  "src/http-compat.ts": LARGE_COMPAT_FILE,
  ".claude/workflows/migrate-fetch.js": SAVED_WORKFLOW,
};

/** The planner writes the parallel migration; workers and refuters answer as in the CLI's end-to-end runs. */
export const appModel: FakeHandler = (request, ctx) => {
  if (JSON.stringify(request.body.system ?? "").includes("You are dynflow's planner")) {
    return reply.toolUse("submit_plan", { script: migrationScript("parallel"), rationale: "One converge per module: each module is small, the whole is not." });
  }
  return migrationModel(request, ctx);
};

export interface HarnessOptions {
  /** `.github/dynflow.yml`; none when omitted. */
  config?: string;
  files?: Record<string, string>;
  permissions?: Record<string, "admin" | "write" | "read">;
  /** Files a pull request changes, as GitHub lists them. */
  pullFiles?: string[];
  /** A pull request's head: a branch of the remote, shown as living in `repo` (a fork). */
  pullHead?: { repo: string; branch: string };
  /** More options of the app (e.g. `audits`, the audit scheduler). */
  app?: Partial<AppOptions>;
  /** Services to add or replace (e.g. `transcripts`, `dashboardUrl`). */
  services?: Partial<RunServices>;
  /** The environment git runs from (default `testGitEnv()`), e.g. one full of secrets it must not see. */
  gitEnv?: NodeJS.ProcessEnv;
  /** The model API key (default a test key). */
  apiKey?: string;
  /** The App's private key (default a fresh one). */
  privateKey?: string;
  /** Holds back some of the fake GitHub's answers (see `FakeGitHubOptions.hold`). */
  hold?: FakeGitHubOptions["hold"];
  /** The app's logger (default silent, or `DYNFLOW_TEST_LOG`). */
  log?: pino.Logger;
}

export interface AppHarness {
  probot: Probot;
  /** The SQLite file of the store. */
  databasePath: string;
  services: RunServices;
  github: FakeGitHub;
  api: FakeAnthropic;
  /** The bare repository GitHub "hosts". */
  bare: string;
  /** Delivers a webhook fixture (`test/fixtures/<name>.json`) with delivery id `id`. */
  receive(name: string, id: string): Promise<void>;
  /** Waits until no run step is queued or running. */
  idle(): Promise<void>;
  /** The pushes the remote received, each as the refs it updated. */
  pushes(): Promise<string[][]>;
  /** Runs git in the bare remote. */
  git(...args: string[]): Promise<string>;
  /** Commits `content` as `path` on the remote's `main`, as a push would. */
  commitFile(path: string, content: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts everything; call `close()` after the test. */
export async function startHarness(options: HarnessOptions = {}): Promise<AppHarness> {
  const source = await makeRepo({ ...REPO_FILES, ...(options.config !== undefined ? { ".github/dynflow.yml": options.config } : {}), ...options.files });
  const work = await tempDir("dynflow-app-test-");
  const bare = join(work, "remote.git");
  await exec("git", ["clone", "--bare", "--quiet", source.dir, bare], { env: testGitEnv() });
  await removeDir(source.dir);
  const git = async (...args: string[]) => (await exec("git", args, { cwd: bare, env: testGitEnv() })).stdout.trim();
  await git("config", "uploadpack.allowFilter", "true");
  // Every push the remote receives is one line of refs in pushes.log.
  const hook = join(bare, "hooks", "post-receive");
  await writeFile(hook, `#!/bin/sh\nrefs=""\nwhile read old new ref; do refs="$refs $ref"; done\necho "$refs" >> "${join(work, "pushes.log")}"\n`, { mode: 0o755 });

  const api = await startFakeAnthropic({ prefixDelayMs: 1, handler: appModel });
  let now = Date.UTC(2026, 10, 24, 10, 15);
  const clock = { now: () => (now += 1) };
  let runs = 0;
  // DYNFLOW_TEST_LOG=<file> writes the app's debug log there, to see where a run went.
  const log = options.log ?? (process.env.DYNFLOW_TEST_LOG ? pino({ level: "debug" }, pino.destination(process.env.DYNFLOW_TEST_LOG)) : pino({ level: "silent" }));
  const apiKey = options.apiKey ?? "sk-test-key";
  const store = await openStore({ sqlitePath: join(work, "dynflow.db"), clock, log });
  const services: RunServices = {
    store,
    queue: createInProcessRunQueue({ maxConcurrent: 2, log }),
    cancels: createCancelRegistry(),
    // Batched runs (audits with `batch: true`) use the fake's Message Batches endpoints, polled at once.
    createModel: ({ prices, batch }) =>
      batch
        ? createBatchModelClient({ apiKey, baseURL: api.url, prices, maxRetries: 0, flushMs: 5, pollMs: 5 })
        : createModelClient({ apiKey, baseURL: api.url, prices, maxRetries: 0 }),
    caps: { maxConcurrency: 16, maxAgents: 1000, maxConcurrentRuns: 2, maxConcurrencyPerInstallation: 16 },
    prices: DEFAULT_PRICES,
    dataDir: join(work, "data"),
    githubHost: "github.com",
    clock,
    newRunId: () => `r-${++runs}`,
    processId: "test-process",
    log,
    gitEnv: options.gitEnv ?? testGitEnv(),
    // Only the first progress edit and the final one are written: the bodies a test sees are deterministic.
    progressIntervalMs: 3_600_000,
    planApiDoc: async () => "(the plan API reference)",
    ...options.services,
  };

  const probot = new Probot({
    appId: 123,
    privateKey: options.privateKey ?? privateKey,
    log,
    // The function form: Probot overrides the object form's throttle setting, and throttled writes wait a second each.
    Octokit: ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({ ...defaults, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load((app) => dynflowApp(app, { appSlug: "dynflow-app", deps: services, ...options.app }));
  const github = fakeGitHub({
    bareDir: bare,
    ...(options.permissions ? { permissions: options.permissions } : {}),
    ...(options.pullFiles ? { pullFiles: options.pullFiles } : {}),
    ...(options.pullHead ? { pullHead: options.pullHead } : {}),
    ...(options.hold ? { hold: options.hold } : {}),
  });

  return {
    probot,
    databasePath: join(work, "dynflow.db"),
    services,
    github,
    api,
    bare,
    async receive(name, id) {
      const payload = JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8")) as { repository: { clone_url: string } };
      payload.repository.clone_url = `file://${bare}`;
      await probot.receive({ id, name: "issue_comment", payload } as never);
    },
    idle: () => services.queue.onIdle(),
    async pushes() {
      const text = await readFile(join(work, "pushes.log"), "utf8").catch(() => "");
      return text.split("\n").filter(Boolean).map((line) => line.trim().split(" ").sort());
    },
    git,
    async commitFile(path, content) {
      const file = join(work, "commit-file.tmp");
      await writeFile(file, content);
      const blob = await git("hash-object", "-w", file);
      const env = { ...testGitEnv(), GIT_INDEX_FILE: join(work, "commit-index.tmp") };
      const plumb = async (...args: string[]) => (await exec("git", args, { cwd: bare, env })).stdout.trim();
      await plumb("read-tree", "main");
      await plumb("update-index", "--add", "--cacheinfo", `100644,${blob},${path}`);
      const tree = await plumb("write-tree");
      const commit = await plumb("commit-tree", tree, "-p", "main", "-m", `update ${path}`);
      await git("update-ref", "refs/heads/main", commit);
      return commit;
    },
    async close() {
      await services.queue.close();
      await store.close();
      await api.close();
      await removeDir(work);
    },
  };
}
