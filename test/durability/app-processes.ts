/**
 * dynflow in processes of its own, for the durability and scale-out tests and
 * the scale benchmark: the web process (`fixtures/app-entry.ts`) and
 * `dynflow worker`s (`fixtures/worker-entry.ts`), configured only through the
 * environment, talking to fakes served over HTTP by the test's process (the
 * fake GitHub, the fake model), with bare git repositories as remotes.
 * Webhooks reach the web process as GitHub sends them: signed, over HTTP.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { FakeAnthropic } from "../fakes/fake-anthropic.js";
import type { FakeGitHubServer } from "../fakes/fake-github-server.js";
import { git, makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTRIES = { app: "./fixtures/app-entry.ts", worker: "./fixtures/worker-entry.ts" } as const;

/** The App's key for every process of a test; generated once. */
export const PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
export const WEBHOOK_SECRET = "durability-webhook-secret";
export const APP_SLUG = "dynflow-app";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** What the process wrote to stderr (its log lines). */
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM) unless the process has exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /**
   * CPU time the running process has used so far, from /proc (Linux; 100
   * ticks a second): its own threads, and every process under it, running or
   * finished (git, its git launcher; see `processTreeCpu`); null elsewhere.
   */
  cpu(): Promise<ProcessCpu | null>;
}

/**
 * Node flags for every app process from `BENCH_NODE_ARGS` (space-separated),
 * e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a benchmark's
 * processes; Node refuses `--cpu-prof` in `NODE_OPTIONS`.
 */
function nodeArgs(): string[] {
  return (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
}

/** CPU time of one process in milliseconds. */
export interface ProcessCpu {
  /** The process itself: every thread, user and system time. */
  ownMs: number;
  /** Its child processes (git, its git launcher and what they started): those that exited, or with `processTreeCpu` all of them. */
  childrenMs: number;
}

/** Starts `node [BENCH_NODE_ARGS] --import tsx <entry>` and resolves once it prints `ready`. */
export async function startAppProcess(name: string, entry: keyof typeof ENTRIES, env: NodeJS.ProcessEnv, args: string[] = []): Promise<AppProcess> {
  const file = fileURLToPath(new URL(ENTRIES[entry], import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs(), "--import", "tsx", file, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready\n")) resolve();
    });
    void exited.then((exit) => reject(new Error(`${name} exited before it was ready (${JSON.stringify(exit)}):\n${stderr.join("")}`)));
  });
  return {
    name,
    child,
    stderr: () => stderr.join(""),
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    cpu: () => (child.pid === undefined ? Promise.resolve(null) : processTreeCpu(child.pid)),
  };
}

/** CPU time a process has used so far, from /proc (Linux; 100 ticks a second): its own threads and its children that have exited; null elsewhere. */
export async function processCpu(pid: number | "self"): Promise<ProcessCpu | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat === null ? null : statCpu(stat);
}

/**
 * CPU time a process and every process under it have used so far (Linux):
 * `ownMs` its own threads, `childrenMs` the rest of the tree, running or
 * exited. A process's git runs under its git launcher, which outlives the
 * measurement, and a long-lived git (`cat-file --batch`) runs throughout:
 * counting exited children alone would miss both. Subtrees rooted at `skip`
 * (a fake the process started) are left out. Null off Linux.
 */
export async function processTreeCpu(root: number, skip: ReadonlySet<number> = new Set()): Promise<ProcessCpu | null> {
  const rootCpu = await processCpu(root);
  if (rootCpu === null) return null;
  const processes: { pid: number; ppid: number; cpu: ProcessCpu }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (stat === null) continue;
    processes.push({ pid: Number(entry), ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), cpu: statCpu(stat) });
  }
  const inTree = new Set([root]);
  let childrenMs = rootCpu.childrenMs;
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) {
      if (inTree.has(p.pid) || skip.has(p.pid) || !inTree.has(p.ppid)) continue;
      inTree.add(p.pid);
      childrenMs += p.cpu.ownMs + p.cpu.childrenMs;
      grew = true;
    }
  }
  return { ownMs: rootCpu.ownMs, childrenMs };
}

function statCpu(stat: string): ProcessCpu {
  // Fields after the command name: utime, stime, cutime, cstime are the 12th to 15th.
  const ticks = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(11, 15).map(Number);
  return { ownMs: (ticks[0]! + ticks[1]!) * 10, childrenMs: (ticks[2]! + ticks[3]!) * 10 };
}

export interface AppEnvOptions {
  github: FakeGitHubServer;
  model: FakeAnthropic;
  dataDir: string;
  /** The web process's port. */
  port?: number;
  extra?: Record<string, string>;
}

/** The environment of an app process: the test's own minus anything dynflow or Probot would read, plus the fakes. */
export function appEnv(options: AppEnvOptions): NodeJS.ProcessEnv {
  const env = testGitEnv();
  for (const key of Object.keys(env)) {
    if (/^(DYNFLOW_|ANTHROPIC_|GHE_|GH_|APP_ID|PRIVATE_KEY|WEBHOOK_|DATABASE_URL|REDIS_URL|NODE_ENV|PORT|HOST|LOG_|CI$)/.test(key)) delete env[key];
  }
  return {
    ...env,
    APP_ID: "123",
    PRIVATE_KEY,
    WEBHOOK_SECRET,
    DYNFLOW_APP_SLUG: APP_SLUG,
    GHE_HOST: options.github.host,
    GHE_PROTOCOL: "http",
    ANTHROPIC_API_KEY: "sk-durability-test",
    ANTHROPIC_BASE_URL: options.model.url,
    DYNFLOW_DATA_DIR: options.dataDir,
    HOST: "127.0.0.1",
    PORT: String(options.port ?? 3000),
    LOG_LEVEL: "warn",
    ...options.extra,
  };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends a webhook as GitHub does (signed with the secret) and resolves the HTTP status. */
export async function deliverWebhook(port: number, delivery: { id: string; name: string; payload: unknown }): Promise<number> {
  const body = JSON.stringify(delivery.payload);
  const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": delivery.name, "x-github-delivery": delivery.id, "x-hub-signature-256": signature },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

export interface CommentOptions {
  owner: string;
  repo: string;
  installationId: number;
  issue: number;
  commentId: number;
  body: string;
  sender?: string;
}

/** An `issue_comment.created` payload, the fields dynflow reads. */
export function commentPayload(options: CommentOptions): unknown {
  const sender = { login: options.sender ?? "octocat", id: 583231, type: "User" };
  const full = `${options.owner}/${options.repo}`;
  return {
    action: "created",
    issue: { number: options.issue, title: "Tag every module", html_url: `https://github.example/${full}/issues/${options.issue}`, user: sender, state: "open", body: "" },
    comment: {
      id: options.commentId,
      html_url: `https://github.example/${full}/issues/${options.issue}#issuecomment-${options.commentId}`,
      user: sender,
      body: options.body,
      author_association: "COLLABORATOR",
    },
    repository: { id: 1, name: options.repo, full_name: full, owner: { login: options.owner, type: "Organization" }, default_branch: "main", clone_url: "unused", private: false },
    sender,
    installation: { id: options.installationId },
  };
}

/**
 * A repository whose saved workflow `tag-modules` converges every module in
 * parallel (`src/<m>/index.ts`, one per name in `modules`), each change
 * reviewed by `refuters` refuters, started without approval.
 */
export function tagModulesFiles(modules: readonly string[], refuters: number): Record<string, string> {
  const workflow = `export const meta = { name: "tag-modules", description: "Tag every module with a version comment" };
const modules = await repo.modules();
const results = await parallel(modules.map((m) => () => converge("Tag " + m.name + " with a version comment", { label: m.name, write: m.globs })));
return results.map((r) => r.status);
`;
  return {
    ".claude/workflows/tag-modules.js": workflow,
    ".github/dynflow.yml": `approval: never\nrefuters: ${refuters}\nmodules:\n${modules.map((m) => `  - name: ${m}\n    globs: ["src/${m}/**"]\n`).join("")}`,
    ...Object.fromEntries(modules.map((m) => [`src/${m}/index.ts`, `export const name = "${m}";\n`])),
  };
}

/** A bare repository holding `files` on `main`, in `parent`; returns its path. */
export async function makeRemote(parent: string, name: string, files: Record<string, string>): Promise<string> {
  const source = await makeRepo(files);
  const bare = join(parent, `${name}.git`);
  await exec("git", ["clone", "--bare", "--quiet", source.dir, bare], { env: testGitEnv() });
  await removeDir(source.dir);
  await git(bare, "config", "uploadpack.allowFilter", "true");
  await git(bare, "config", "uploadpack.allowAnySHA1InWant", "true");
  return bare;
}

/** Resolves when `predicate` holds, checking every `everyMs`; fails after `timeoutMs` naming `what`. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
