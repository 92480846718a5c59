/**
 * Real git repositories in temp directories for planner tests (never a mocked git).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { git, testGitEnv } from "../workspace/git-fixture.js";


function gitWithInput(cwd: string, input: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: testGitEnv() });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args.join(" ")}: ${err}`))));
    child.stdin.end(input);
  });
}

export interface FixtureRepo {
  dir: string;
  head: string;
  remove(): Promise<void>;
}

async function fixture(dir: string): Promise<FixtureRepo> {
  return { dir, head: await git(dir, "rev-parse", "HEAD"), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A repository with one commit holding `files` (path → content). */
export async function makeRepo(files: Record<string, string | Buffer>): Promise<FixtureRepo> {
  const dir = await mkdtemp(join(tmpdir(), "dynflow-plan-test-"));
  await git(dir, "init", "-q", "-b", "main");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", "initial");
  return fixture(dir);
}

/**
 * A repository with many files built with plumbing (one shared blob, an index
 * written in one call), so thousands of files take well under a second.
 */
export async function makeWideRepo(paths: readonly string[], content = "export const x = 1;\n"): Promise<FixtureRepo> {
  const dir = await mkdtemp(join(tmpdir(), "dynflow-plan-test-"));
  await git(dir, "init", "-q", "-b", "main");
  const blob = await gitWithInput(dir, content, "hash-object", "-w", "--stdin");
  await gitWithInput(dir, paths.map((path) => `100644 ${blob}\t${path}\n`).join(""), "update-index", "--add", "--index-info");
  const tree = await git(dir, "write-tree");
  const commit = await git(dir, "commit-tree", tree, "-m", "wide");
  await git(dir, "update-ref", "refs/heads/main", commit);
  return fixture(dir);
}

/** Opens the fixture with dynflow's own repository layer. */
export function openFixture(repo: FixtureRepo): Promise<GitRepository> {
  return openRepository(repo.dir, { env: testGitEnv() });
}
