/**
 * `fakeAppContext()`: what a verb or a step of the app runs on, built for
 * fast unit tests beside the end-to-end ones. Real where it is cheap (a
 * SQLite store in a temp dir, the app runtime composed as the app composes
 * it, Probot's Octokit against the nock fake of GitHub over a small bare
 * repository), recorded where the test wants to look (the run steps queued,
 * the replies posted), and deterministic (clock, run ids). No Probot, no
 * webhook, no model: a test calls the use case directly.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { DEFAULT_PRICES } from "../../src/agents/model/index.js";
import type { CommandInput } from "../../src/app/commands/command-input.js";
import { createAppRuntime } from "../../src/app/services/create-app-runtime.js";
import { buildRunSettings, toSettingsJson } from "../../src/app/run-record/run-settings.js";
import type { AppRuntime, RunServices } from "../../src/app/services/types.js";
import { createCancelRegistry } from "../../src/app/steps/cancel-registry.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from "../../src/config/repo-config.js";
import type { GitHubClient } from "../../src/github/github-client.js";
import type { RunJob, RunJobProcessor, RunQueue } from "../../src/queue/runs/run-queue.js";
import { openStore, type NewRun, type RunRecord, type Store } from "../../src/store/index.js";
import type { Timers } from "../../src/time.js";
import { testOctokit } from "../github/octokit.js";
import { makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { fakeGitHub, type FakeComment, type FakeGitHub } from "./fake-github.js";

const exec = promisify(execFile);

export interface FakeAppContextOptions {
  /** `.github/dynflow.yml`; the defaults when omitted. */
  config?: string;
  /** More files of the repository (e.g. saved workflows). */
  files?: Record<string, string>;
  /** Collaborator permissions by login (default: octocat may write). */
  permissions?: Record<string, "admin" | "write" | "read">;
  /** Whether the deployment has a model API key (default true; no model is ever called). */
  model?: boolean;
  /** Timers of deadlines and lease renewals (default: timers that never fire). */
  timers?: Timers;
}

/** A run queue that records what is enqueued and runs nothing unless the test says so. */
export interface RecordingRunQueue extends RunQueue {
  readonly jobs: RunJob[];
  /** Jobs dropped by `remove`, by run id. */
  readonly removed: string[];
}

export interface FakeAppContext {
  runtime: AppRuntime;
  store: Store;
  queue: RecordingRunQueue;
  /** The installation client every `runtime.github(id)` returns. */
  client: GitHubClient;
  github: FakeGitHub;
  /** Commits of the repository: `main` is the head of the default branch. */
  head: string;
  /** The command's facts, as `toCommandInput` reads them from a comment by octocat on issue 42. */
  input(extra?: Partial<CommandInput>): CommandInput;
  /** What the verbs replied on issue 42 (the app's comments that are not status comments), oldest first. */
  replies(): string[];
  /** The app's status comment of `runId`. */
  statusComment(runId: string): FakeComment | undefined;
  /** The repository config the verbs were given (`options.config`, validated). */
  config: RepoConfig;
  /**
   * Records a run in the store: a queued task of acme/widgets on issue 42,
   * with the settings of `config`, unless `fields` say otherwise.
   */
  seedRun(id: string, fields?: Partial<NewRun>): Promise<RunRecord>;
  close(): Promise<void>;
}

/** Timers that never fire: a step's deadline and lease renewals stay armed and silent. */
export const stillTimers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };

/** Builds the context; call inside a test of a file that uses `useNock()`, and `close()` it after. */
export async function fakeAppContext(options: FakeAppContextOptions = {}): Promise<FakeAppContext> {
  const files = { "README.md": "# widgets\n", ...(options.config !== undefined ? { ".github/dynflow.yml": options.config } : {}), ...options.files };
  const source = await makeRepo(files);
  const work = await tempDir("dynflow-fake-app-");
  const bare = join(work, "remote.git");
  await exec("git", ["clone", "--bare", "--quiet", source.dir, bare], { env: testGitEnv() });
  await removeDir(source.dir);

  const config = configOf(options.config);
  let now = Date.UTC(2026, 0, 5, 9, 0);
  let runs = 0;
  const clock = { now: () => (now += 1) };
  // DYNFLOW_TEST_LOG=<file> writes the use cases' debug log there, as the app harness does.
  const log = process.env.DYNFLOW_TEST_LOG ? pino({ level: "debug" }, pino.destination(process.env.DYNFLOW_TEST_LOG)) : pino({ level: "silent" });
  const store = await openStore({ sqlitePath: join(work, "dynflow.db"), clock, log });
  const queue = recordingRunQueue();
  const services: RunServices = {
    store,
    queue,
    cancels: createCancelRegistry(),
    createModel:
      options.model === false
        ? null
        : () => {
            throw new Error("fakeAppContext: no model is called by the use cases under test");
          },
    caps: { maxConcurrency: 16, maxAgents: 1000, maxConcurrentRuns: 2, maxConcurrencyPerInstallation: 16 },
    prices: DEFAULT_PRICES,
    dataDir: join(work, "data"),
    githubHost: "github.com",
    clock,
    newRunId: () => `r-${++runs}`,
    processId: "test-process",
    log,
    gitEnv: testGitEnv(),
    progressIntervalMs: 3_600_000,
    timers: options.timers ?? stillTimers,
    planApiDoc: async () => "(the plan API reference)",
  };
  const client = testOctokit();
  const runtime = createAppRuntime(services, { auth: async () => client, appSlug: async () => "dynflow-app" });
  const github = fakeGitHub({ bareDir: bare, ...(options.permissions ? { permissions: options.permissions } : {}) });
  const head = (await exec("git", ["rev-parse", "main"], { cwd: bare, env: testGitEnv() })).stdout.trim();
  const isStatus = (comment: FakeComment) => comment.body.startsWith("<!-- dynflow:status ");

  return {
    runtime,
    store,
    queue,
    client,
    github,
    head,
    config,
    input: (extra = {}) => ({
      github: client,
      installationId: 77,
      owner: "acme",
      repo: "widgets",
      issueNumber: 42,
      isPullRequest: false,
      defaultBranch: "main",
      comment: { id: 9001, url: "https://github.com/acme/widgets/issues/42#issuecomment-9001" },
      sender: "octocat",
      log,
      reply: async (body) => {
        await client.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: 42, body });
      },
      ...extra,
    }),
    replies: () => github.appComments().filter((comment) => !isStatus(comment)).map((comment) => comment.body),
    statusComment: (runId) => github.statusComment(runId),
    seedRun: (id, fields = {}) =>
      store.runs.create({
        id,
        installationId: 77,
        owner: "acme",
        repo: "widgets",
        kind: "task",
        status: "queued",
        issueNumber: 42,
        task: "migrate the callers",
        baseRef: "main",
        limits: toSettingsJson(buildRunSettings(config, services.caps)),
        ...fields,
      }),
    async close() {
      await store.close();
      await removeDir(work);
    },
  };
}

function configOf(text: string | undefined): RepoConfig {
  if (text === undefined) return DEFAULT_REPO_CONFIG;
  const parsed = parseRepoConfig(text);
  if (!parsed.ok) throw new Error(`fakeAppContext: the config is invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.config;
}

function recordingRunQueue(): RecordingRunQueue {
  const jobs: RunJob[] = [];
  const removed: string[] = [];
  return {
    jobs,
    removed,
    async enqueue(job) {
      // As the real queues: the same step of the same run is queued once.
      if (jobs.some((queued) => queued.runId === job.runId && queued.step === job.step)) return false;
      jobs.push(job);
      return true;
    },
    start(_processor: RunJobProcessor) {},
    async remove(runId) {
      const before = jobs.length;
      for (let i = jobs.length - 1; i >= 0; i--) if (jobs[i]!.runId === runId) jobs.splice(i, 1);
      removed.push(runId);
      return before - jobs.length;
    },
    onIdle: async () => undefined,
    close: async () => undefined,
  };
}
