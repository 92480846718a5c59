/**
 * Real git repositories in temp dirs for reconciliation tests. Changes are
 * committed with plumbing and a private index, the way worker workspaces do,
 * so the fixture's own checkout stays on `main`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChangeRef } from "../../src/runtime/types.js";

const IDENTITY = {
  GIT_AUTHOR_NAME: "Fixture",
  GIT_AUTHOR_EMAIL: "fixture@example.com",
  GIT_COMMITTER_NAME: "Fixture",
  GIT_COMMITTER_EMAIL: "fixture@example.com",
  GIT_AUTHOR_DATE: "1700000000 +0000",
  GIT_COMMITTER_DATE: "1700000000 +0000",
};

export interface FixtureRepo {
  dir: string;
  base: string;
  git(args: string[], options?: { input?: string; env?: Record<string, string> }): string;
  /** Commits `files` (null deletes) on top of `parent` as branch `dynflow/test/<slug>`. */
  change(slug: string, files: Record<string, string | null>, parent?: string): ChangeRef;
  /** Contents of `path` in `commit`, or null when absent. */
  show(commit: string, path: string): string | null;
  dispose(): void;
}

/** A repository on `main` whose first commit holds `files`. */
export function createFixtureRepo(files: Record<string, string>): FixtureRepo {
  const dir = mkdtempSync(join(tmpdir(), "dynflow-reconcile-test-"));
  const git: FixtureRepo["git"] = (args, options = {}) =>
    execFileSync("git", args, {
      cwd: dir,
      input: options.input ?? "",
      env: { ...process.env, ...IDENTITY, ...options.env },
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
  git(["init", "-q", "-b", "main"]);
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "base"]);
  const base = git(["rev-parse", "HEAD"]).trim();

  const change: FixtureRepo["change"] = (slug, edits, parent = base) => {
    const env = { GIT_INDEX_FILE: join(dir, ".git", `fixture-index-${slug}`) };
    git(["read-tree", parent], { env });
    const lines = Object.entries(edits).map(([path, content]) => {
      if (content === null) return `0 ${"0".repeat(40)}\t${path}`;
      const oid = git(["hash-object", "-w", "--stdin"], { input: content }).trim();
      return `100644 ${oid}\t${path}`;
    });
    git(["update-index", "--index-info"], { env, input: lines.map((l) => `${l}\n`).join("") });
    const tree = git(["write-tree"], { env }).trim();
    const commit = git(["commit-tree", tree, "-p", parent, "-m", `change ${slug}`]).trim();
    const branch = `dynflow/test/${slug}`;
    git(["update-ref", `refs/heads/${branch}`, commit]);
    rmSync(env.GIT_INDEX_FILE, { force: true });
    const numstat = git(["diff", "--numstat", "--no-renames", parent, commit]).trim().split("\n").filter(Boolean);
    const status = git(["diff", "--name-status", "--no-renames", parent, commit]).trim().split("\n").filter(Boolean);
    const changed = numstat.map((line, i) => {
      const [add, del, path] = line.split("\t");
      const letter = status[i]?.[0];
      return {
        path: path!,
        status: letter === "A" ? ("added" as const) : letter === "D" ? ("deleted" as const) : ("modified" as const),
        additions: Number(add),
        deletions: Number(del),
      };
    });
    return {
      branch,
      commit,
      base: parent,
      files: changed,
      additions: changed.reduce((n, f) => n + f.additions, 0),
      deletions: changed.reduce((n, f) => n + f.deletions, 0),
      incomplete: false,
    };
  };

  const show: FixtureRepo["show"] = (commit, path) => {
    try {
      return git(["show", `${commit}:${path}`]);
    } catch {
      return null;
    }
  };

  return { dir, base, git, change, show, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
