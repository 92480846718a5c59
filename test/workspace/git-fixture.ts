/**
 * Real git repositories in temp directories for workspace tests, built with
 * git commands (never a mocked git).
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { ChangeRef } from "../../src/runtime/types.js";
import type { GitRepository } from "../../src/workspace/index.js";

const exec = promisify(execFile);

/** An environment free of the caller's git redirections, with a fixed identity. */
export function testGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return {
    ...env,
    GIT_AUTHOR_NAME: "Fixture",
    GIT_AUTHOR_EMAIL: "fixture@example.com",
    GIT_COMMITTER_NAME: "Fixture",
    GIT_COMMITTER_EMAIL: "fixture@example.com",
    GIT_CONFIG_NOSYSTEM: "1",
  };
}

/** Runs git in `cwd` and returns its stdout untouched. */
export async function gitRaw(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec("git", args, { cwd, env: testGitEnv(), maxBuffer: 64 << 20 });
  return stdout;
}

/** Runs git in `cwd` and returns trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await gitRaw(cwd, ...args)).trim();
}

export async function tempDir(prefix = "dynflow-ws-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * An environment whose `git` (first on PATH) logs its arguments, one call a
 * line, before running the real git; `calls` reads the log, and `dir` (the
 * wrapper and its log) is the caller's to remove.
 */
export async function loggingGit(): Promise<{ env: NodeJS.ProcessEnv; calls: () => Promise<string[]>; dir: string }> {
  const dir = await tempDir("dynflow-git-log-");
  const log = join(dir, "calls.log");
  const realGit = (await exec("sh", ["-c", "command -v git"])).stdout.trim();
  await writeFile(join(dir, "git"), `#!/bin/sh\necho "$*" >> "${log}"\nexec "${realGit}" "$@"\n`);
  await chmod(join(dir, "git"), 0o755);
  return {
    env: { ...testGitEnv(), PATH: `${dir}:${process.env.PATH ?? ""}` },
    calls: async () => (await readFile(log, "utf8").catch(() => "")).split("\n").filter(Boolean),
    dir,
  };
}

export interface FixtureRepo {
  dir: string;
  head: string;
}

/**
 * A non-bare repository with one commit holding `files` (path → content) and
 * `symlinks` (path → target), on branch `main`.
 */
export async function makeRepo(files: Record<string, string | Buffer>, symlinks: Record<string, string> = {}): Promise<FixtureRepo> {
  const dir = await tempDir();
  await git(dir, "init", "-q", "-b", "main");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  for (const [path, target] of Object.entries(symlinks)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await symlink(target, join(dir, path));
  }
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", "initial");
  return { dir, head: await git(dir, "rev-parse", "HEAD") };
}

/** Content of `path` at `rev`, read with git itself. */
export function show(dir: string, rev: string, path: string): Promise<string> {
  return gitRaw(dir, "cat-file", "blob", `${rev}:${path}`);
}

/** `env` without proxy settings: with one, a push goes to git instead of dynflow's own HTTP push. */
export function withoutProxy(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/proxy$/i.test(name)));
}

/** A blobless bare clone of `url` (files fetched on demand) at `<parent>/<name>`, as dynflow keeps one; its path. */
export async function bloblessClone(parent: string, url: string, name = "clone.git"): Promise<string> {
  const clone = join(parent, name);
  await git(parent, "clone", "-q", "--bare", "--filter=blob:none", url, clone);
  return clone;
}

/** An agent's change as a run makes one: `files` written in a workspace forked from `base`, committed by the repository. */
export async function agentChange(repository: GitRepository, base: string, files: Record<string, string>, runId = "r-1"): Promise<ChangeRef> {
  const workspace = await repository.fork({ runId, slug: "m0", baseCommit: base });
  for (const [path, content] of Object.entries(files)) await workspace.write(path, content);
  const change = await workspace.commit({ message: "m0", author: { name: "dynflow", email: "dynflow@example.invalid" } });
  if (change === null) throw new Error("the workspace had nothing to commit");
  return change;
}
