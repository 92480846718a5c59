/**
 * Workspace benchmarks on a generated 50,000-file repository: a worker's
 * fork + read + write 3 files + commit through dynflow's workspaces, versus
 * the same work in a `git worktree` per worker. Also the cold listing cost,
 * concurrent throughput, peak memory, and what a private index would weigh.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openRepository } from "../src/workspace/open-repository.js";
import type { BenchFigure } from "./types.js";

const FILES = 50_000;
const PER_DIR = 100;
const WORKERS = 10;
const WORKTREE_WORKERS = 3;
/** Total time the worktree comparison may take. */
const WORKTREE_BUDGET_MS = 15_000;
const AUTHOR = { name: "Bench", email: "bench@example.com" };

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return { ...env, GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "b@example.com", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "b@example.com" };
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)("git", args, { cwd, env: gitEnv(), maxBuffer: 256 << 20 });
  return stdout.trim();
}

class BudgetExceeded extends Error {}

/**
 * Runs git in its own process group and kills the whole group (git worktree
 * spawns helpers that write files) when `deadline` passes; waits for the exit.
 */
function gitUntil(deadline: number, cwd: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: gitEnv(), stdio: "ignore", detached: true });
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      process.kill(-(child.pid as number), "SIGKILL");
    }, Math.max(0, deadline - performance.now()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (expired) reject(new BudgetExceeded());
      else if (code === 0) resolve();
      else reject(new Error(`git ${args[0]} exited ${code}`));
    });
  });
}

export function filePath(i: number): string {
  return `pkg${String(Math.floor(i / PER_DIR)).padStart(3, "0")}/mod${String(i % PER_DIR).padStart(2, "0")}.ts`;
}

export function fileContent(i: number): string {
  return Array.from({ length: 12 }, (_, line) => `export const value${line} = ${i * 100 + line}; // module ${i}`).join("\n") + "\n";
}

/** One commit of FILES files on `main`, streamed into a single `git fast-import`. */
export async function generateRepository(dir: string): Promise<void> {
  await git(dir, "init", "-q", "-b", "main");
  const child = spawn("git", ["fast-import", "--quiet"], { cwd: dir, env: gitEnv(), stdio: ["pipe", "ignore", "inherit"] });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`))));
  });
  const send = (text: string) => (child.stdin.write(text) ? Promise.resolve() : new Promise<void>((resolve) => child.stdin.once("drain", () => resolve())));
  await send("commit refs/heads/main\ncommitter Bench <b@example.com> 1700000000 +0000\ndata 9\ngenerate\n");
  for (let i = 0; i < FILES; i++) {
    const content = fileContent(i);
    await send(`M 100644 inline ${filePath(i)}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
  }
  child.stdin.end();
  await done;
}

/** The three files worker `w` edits, spread over directories. */
function targets(w: number): number[] {
  return [w * 37, 10_000 + w * 53, 40_000 + w * 71];
}

async function dynflowWorker(repository: Awaited<ReturnType<typeof openRepository>>, w: number, runId: string): Promise<void> {
  const ws = await repository.fork({ runId, slug: `w${w}`, baseCommit: "main" });
  const [a, b, c] = targets(w) as [number, number, number];
  await ws.read(filePath(a));
  await ws.edit(filePath(a), `value0 = ${a * 100};`, `value0 = ${a * 100 + 1};`);
  await ws.write(filePath(b), `${fileContent(b)}// touched by ${w}\n`);
  await ws.write(`pkg${String(c).slice(0, 3)}/new-${w}.ts`, `export const fresh = ${w};\n`);
  const change = await ws.commit({ message: `worker ${w}`, author: AUTHOR });
  if (!change || change.files.length !== 3) throw new Error(`worker ${w} committed ${JSON.stringify(change)}`);
}

/**
 * The same work in a worktree. A checkout of 50,000 files can take tens of
 * seconds on a slow disk, so it is stopped at `budgetMs`: the figure is then a
 * lower bound.
 */
async function worktreeWorker(repoDir: string, scratch: string, w: number, budgetMs: number): Promise<{ ms: number; finished: boolean }> {
  const dir = join(scratch, `wt-${w}`);
  const started = performance.now();
  try {
    await worktreeSteps(repoDir, dir, w, started + budgetMs);
    return { ms: performance.now() - started, finished: true };
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    const ms = performance.now() - started;
    await rm(dir, { recursive: true, force: true });
    await git(repoDir, "worktree", "prune");
    return { ms, finished: false };
  }
}

async function worktreeSteps(repoDir: string, dir: string, w: number, deadline: number): Promise<void> {
  const git = (cwd: string, ...args: string[]) => gitUntil(deadline, cwd, ...args);
  await git(repoDir, "worktree", "add", "-q", "-b", `bench-wt/w${w}`, dir, "main");
  const [a, b, c] = targets(w) as [number, number, number];
  await writeFile(join(dir, filePath(a)), fileContent(a).replace(`value0 = ${a * 100};`, `value0 = ${a * 100 + 1};`));
  await writeFile(join(dir, filePath(b)), `${fileContent(b)}// touched by ${w}\n`);
  await writeFile(join(dir, `pkg${String(c).slice(0, 3)}/new-${w}.ts`), `export const fresh = ${w};\n`);
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", `worker ${w}`);
  await git(repoDir, "worktree", "remove", "--force", dir);
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function bench(): Promise<BenchFigure[]> {
  const scratch = await mkdtemp(join(tmpdir(), "dynflow-ws-bench-"));
  const repoDir = join(scratch, "repo");
  try {
    await git(scratch, "init", "-q", repoDir);
    const generateMs = await timed(() => generateRepository(repoDir));

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sample = () => void (rssPeak = Math.max(rssPeak, process.memoryUsage().rss));
    const repository = await openRepository(repoDir, { env: gitEnv() });
    const coldMs = await timed(() => dynflowWorker(repository, 100, "cold"));
    let ours = 0;
    for (let w = 0; w < WORKERS; w++) {
      ours += await timed(() => dynflowWorker(repository, w, "seq"));
      sample();
    }
    const perWorker = ours / WORKERS;
    const concurrentMs = await timed(async () => {
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => dynflowWorker(repository, w, "par")));
    });
    sample();
    await repository.close();

    // Worktrees share one time budget; a worker cut short ends the comparison.
    let theirs = 0;
    let attempted = 0;
    let allFinished = true;
    while (attempted < WORKTREE_WORKERS && allFinished && theirs < WORKTREE_BUDGET_MS) {
      const { ms, finished } = await worktreeWorker(repoDir, scratch, attempted++, WORKTREE_BUDGET_MS - theirs);
      theirs += ms;
      allFinished = finished;
    }
    const perWorktree = theirs / attempted;
    const bound = allFinished ? ` (${attempted} runs)` : ` (≥: hit the ${WORKTREE_BUDGET_MS / 1000} s budget)`;

    // What the index-based alternative would hold per worker: a private index of the whole base tree.
    const index = join(scratch, "private-index");
    const readTreeMs = await timed(async () => {
      await promisify(execFile)("git", ["read-tree", "main"], { cwd: repoDir, env: { ...gitEnv(), GIT_INDEX_FILE: index } });
    });
    const indexBytes = (await stat(index)).size;
    const ratio = perWorktree / perWorker;

    return [
      { name: `generate ${FILES.toLocaleString("en")}-file repo (fast-import)`, value: Math.round(generateMs), unit: "ms" },
      { name: "workspace: first worker (cold base listing)", value: coldMs, unit: "ms" },
      { name: "workspace: fork+read+write 3+commit, per worker", value: perWorker, unit: "ms", target: "≤ 100 ms", pass: perWorker <= 100 },
      { name: `workspace: ${WORKERS} concurrent workers, wall`, value: concurrentMs, unit: "ms" },
      { name: `worktree: add+write 3+commit+remove, per worker${bound}`, value: perWorktree, unit: "ms" },
      { name: `speed-up vs a worktree per worker${bound}`, value: ratio, unit: "x", target: "≥ 20x", pass: ratio >= 20 },
      { name: "RSS growth over the workspace phase", value: Math.round((rssPeak - rssBefore) / 2 ** 20), unit: "MB" },
      { name: "peak RSS of the benchmark process", value: Math.round(process.resourceUsage().maxRSS / 1024), unit: "MB" },
      { name: "private index per workspace (none is used)", value: 0, unit: "bytes" },
      { name: "for reference: private index of the base", value: Math.round(indexBytes / 1024), unit: "KiB" },
      { name: "for reference: read-tree of the base into it", value: readTreeMs, unit: "ms" },
    ];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
