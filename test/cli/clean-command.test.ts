import { execFile } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";
import { git, makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";

function capture(cwd: string): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return { io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, isTty: false, env: testGitEnv() }, out: () => out, err: () => err };
}

describe("dynflow clean", () => {
  let repo: { dir: string; head: string };

  /** Three runs, oldest first, each with a result branch, two worker branches and a report. */
  beforeEach(async () => {
    repo = await makeRepo({ "README.md": "# r\n" });
    const gitDir = join(repo.dir, ".git");
    for (const [index, run] of ["aaaa1111", "bbbb2222", "cccc3333"].entries()) {
      const date = `${1_700_000_000 + index * 1000} +0000`;
      const env = { ...testGitEnv(), GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date };
      const oid = await new Promise<string>((resolve, reject) =>
        execFile("git", ["commit-tree", "-p", repo.head, "-m", run, `${repo.head}^{tree}`], { cwd: repo.dir, env }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
      );
      await git(repo.dir, "branch", `dynflow/${run}`, oid);
      await git(repo.dir, "branch", `dynflow/${run}-work/src-a-1234567`, oid);
      await git(repo.dir, "branch", `dynflow/${run}-work/src-b-89abcde`, oid);
      await mkdir(join(gitDir, "dynflow", "runs", run), { recursive: true });
      await writeFile(join(gitDir, "dynflow", "runs", run, "report.md"), "report\n");
    }
    await git(repo.dir, "branch", "feature", repo.head);
  });
  afterEach(async () => {
    await removeDir(repo.dir);
  });

  const branches = async () => (await git(repo.dir, "for-each-ref", "--format=%(refname:short)", "refs/heads/")).split("\n").sort();
  const reports = async () => (await readdir(join(repo.dir, ".git", "dynflow", "runs"))).sort();

  it("deletes every run's branches and reports but the ones kept, and nothing else", async () => {
    const cli = capture(repo.dir);
    expect(await main(["clean", "--repo", ".", "--keep", "aaaa1111"], cli.io)).toBe(0);
    expect(await branches()).toEqual(["dynflow/aaaa1111", "dynflow/aaaa1111-work/src-a-1234567", "dynflow/aaaa1111-work/src-b-89abcde", "feature", "main"]);
    expect(await reports()).toEqual(["aaaa1111"]);
    expect(cli.err()).toContain("deleted 6 branches of 2 runs; kept aaaa1111");
  });

  it("--keep-last N keeps the most recent runs", async () => {
    expect(await main(["clean", "--repo", ".", "--keep-last", "1"], capture(repo.dir).io)).toBe(0);
    expect((await branches()).filter((b) => b.startsWith("dynflow/"))).toEqual([
      "dynflow/cccc3333",
      "dynflow/cccc3333-work/src-a-1234567",
      "dynflow/cccc3333-work/src-b-89abcde",
    ]);
  });

  it("--workers-only keeps result branches and reports", async () => {
    expect(await main(["clean", "--repo", ".", "--workers-only"], capture(repo.dir).io)).toBe(0);
    expect((await branches()).filter((b) => b.startsWith("dynflow/"))).toEqual(["dynflow/aaaa1111", "dynflow/bbbb2222", "dynflow/cccc3333"]);
    expect(await reports()).toEqual(["aaaa1111", "bbbb2222", "cccc3333"]);
  });

  it("--dry-run lists and deletes nothing; a checked-out run branch is never deleted", async () => {
    const before = await branches();
    const dry = capture(repo.dir);
    expect(await main(["clean", "--repo", ".", "--dry-run"], dry.io)).toBe(0);
    expect(dry.out().split("\n").filter(Boolean)).toHaveLength(9);
    expect(dry.out()).toContain("would delete dynflow/bbbb2222-work/src-a-1234567");
    expect(await branches()).toEqual(before);

    await git(repo.dir, "checkout", "-q", "dynflow/bbbb2222");
    const cli = capture(repo.dir);
    expect(await main(["clean", "--repo", "."], cli.io)).toBe(0);
    expect((await branches()).filter((b) => b.startsWith("dynflow/"))).toEqual(["dynflow/bbbb2222"]);
    expect(cli.err()).toContain("kept dynflow/bbbb2222: it is checked out");
  });

  it("refuses an unknown --keep, naming it", async () => {
    const cli = capture(repo.dir);
    expect(await main(["clean", "--repo", ".", "--keep", "zzzz"], cli.io)).toBe(2);
    expect(cli.err()).toContain("--keep zzzz: no such run has branches here");
  });
});
