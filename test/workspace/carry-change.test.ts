/**
 * A change carried as data between two clones of one remote: the objects the
 * sender reads are the ones git itself counts as new, and the receiver (a
 * blobless clone of a remote that never had the change, as a run's owner is)
 * ends up holding the whole commit, or refuses what is not that change, whole.
 */
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CarriedChangeError, openRepository, type CarriedChange, type GitRepository } from "../../src/workspace/index.js";
import { git, gitRaw, makeRepo, removeDir, tempDir, testGitEnv } from "./git-fixture.js";

const exec = promisify(execFile);

/** The id git gives an object: what the test checks the carried objects against, computed here rather than by the code under test. */
function idOf(object: { type: string; data: string }): string {
  const content = Buffer.from(object.data, "base64");
  return createHash("sha1").update(`${object.type} ${content.length}\0`).update(content).digest("hex");
}

describe("a change carried as data", () => {
  let work: string;
  let source: { dir: string; head: string };
  let origin: string;
  const opened: GitRepository[] = [];

  beforeAll(async () => {
    work = await tempDir("dynflow-carry-");
    source = await makeRepo({
      "README.md": "# demo\n",
      "src/a/one.ts": "export const one = 1;\n",
      "src/a/two.ts": "export const two = 2;\n",
      "src/b/deep/three.ts": "export const three = 3;\n",
      "scripts/run.sh": "#!/bin/sh\necho run\n",
      "gone.txt": "soon gone\n",
    });
    // The remote holds the base only: whatever the receiver lacks cannot be fetched from it.
    origin = join(work, "origin.git");
    await exec("git", ["clone", "--quiet", "--bare", source.dir, origin], { env: testGitEnv() });
    await git(origin, "config", "uploadpack.allowFilter", "true");
    await git(origin, "config", "uploadpack.allowAnySHA1InWant", "true");
  });

  afterAll(async () => {
    for (const repository of opened) await repository.close();
    await removeDir(work);
    await removeDir(source.dir);
  });

  /** A commit on the base made by git in the source repository, then the source reset to the base. */
  async function commitOnBase(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
    await git(source.dir, "checkout", "-q", "-B", name, source.head);
    await edit(source.dir);
    await git(source.dir, "add", "-A");
    await git(source.dir, "commit", "-q", "--allow-empty", "-m", name);
    return git(source.dir, "rev-parse", "HEAD");
  }

  async function open(dir: string): Promise<GitRepository> {
    const repository = await openRepository(dir, { env: testGitEnv() });
    opened.push(repository);
    return repository;
  }

  /** A blobless clone of the remote at the base: a run's owner, or a worker about to review. */
  async function receiver(name: string): Promise<{ dir: string; repository: GitRepository }> {
    const dir = join(work, `${name}.git`);
    await exec("git", ["clone", "--quiet", "--bare", "--filter=blob:none", `file://${origin}`, dir], { env: testGitEnv() });
    return { dir, repository: await open(dir) };
  }

  const put = async (dir: string, path: string, content: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  };

  const edits: [string, (dir: string) => Promise<void>][] = [
    ["an edit deep in the tree", (dir) => put(dir, "src/b/deep/three.ts", "export const three = 33;\n")],
    ["a new directory", (dir) => put(dir, "src/c/new/four.ts", "export const four = 4;\n")],
    ["a deleted file", (dir) => rm(join(dir, "gone.txt"))],
    ["a file made executable", (dir) => chmod(join(dir, "README.md"), 0o755)],
    ["a symlink", (dir) => symlink("src/a/one.ts", join(dir, "one-link"))],
    ["a copy of a file the base has, elsewhere", (dir) => put(dir, "src/b/one-copy.ts", "export const one = 1;\n")],
    ["a moved directory", (dir) => exec("git", ["mv", "src/a", "src/moved"], { cwd: dir, env: testGitEnv() }).then(() => undefined)],
    ["nothing at all", async () => {}],
  ];

  it.each(edits)("carries every object git counts as new (%s), and the receiver then holds the whole commit", async (name, edit) => {
    const commit = await commitOnBase(`c-${name.replace(/\W+/g, "-")}`, edit);
    const sender = await open(source.dir);
    const carried = await sender.carryChange(commit, source.head, 1 << 20);
    expect(carried).not.toBeNull();
    const ids = new Set(carried!.objects.map(idOf));
    const gitCounts = (await git(source.dir, "rev-list", "--objects", commit, "--not", source.head)).split("\n").map((line) => line.split(" ")[0]);
    for (const id of gitCounts) expect(ids).toContain(id);
    // Beyond git's count only what the base holds elsewhere (a copy, a move), never anything outside both.
    const inBase = new Set((await git(source.dir, "rev-list", "--objects", source.head)).split("\n").map((line) => line.split(" ")[0]));
    for (const id of ids) if (!gitCounts.includes(id)) expect(inBase).toContain(id);

    const { dir, repository } = await receiver(`r-${name.replace(/\W+/g, "-")}`);
    await repository.receiveCarriedChange(carried!, source.head);
    expect(await git(dir, "rev-parse", `${commit}^{tree}`)).toBe(await git(source.dir, "rev-parse", `${commit}^{tree}`));
    expect(await gitRaw(dir, "diff-tree", "-r", "--no-renames", source.head, commit)).toBe(await gitRaw(source.dir, "diff-tree", "-r", "--no-renames", source.head, commit));
    // Every object of the commit is in the clone or promised by the remote: git finds nothing missing.
    await expect(git(dir, "fsck", "--connectivity-only", "--no-dangling")).resolves.toBeDefined();
    await expect(git(dir, "rev-list", "--objects", "--missing=print", commit, "--not", source.head)).resolves.not.toMatch(/^\?/m);
  });

  it("leaves to a push a change that is not one commit on the base, or is larger than allowed", async () => {
    const first = await commitOnBase("two-commits", (dir) => put(dir, "src/a/one.ts", "export const one = 11;\n"));
    await put(source.dir, "src/a/two.ts", "export const two = 22;\n");
    await git(source.dir, "commit", "-q", "-am", "second");
    const second = await git(source.dir, "rev-parse", "HEAD");
    const sender = await open(source.dir);
    expect(await sender.carryChange(second, source.head, 1 << 20)).toBeNull();
    const carried = await sender.carryChange(first, source.head, 1 << 20);
    expect(carried).not.toBeNull();
    const bytes = carried!.objects.reduce((n, object) => n + Buffer.from(object.data, "base64").length, 0);
    expect(await sender.carryChange(first, source.head, bytes)).not.toBeNull();
    expect(await sender.carryChange(first, source.head, bytes - 1)).toBeNull();
  });

  describe("refuses what is not the change, whole", () => {
    let commit: string;
    let carried: CarriedChange;

    beforeAll(async () => {
      commit = await commitOnBase("refused", async (dir) => {
        await put(dir, "src/a/one.ts", "export const one = 111;\n");
        await put(dir, "src/z/new.ts", "export const z = 0;\n");
      });
      carried = (await (await open(source.dir)).carryChange(commit, source.head, 1 << 20))!;
      expect(carried.objects.map((o) => o.type).sort()).toEqual(["blob", "blob", "commit", "tree", "tree", "tree", "tree"]);
    });

    const without = (type: string) => {
      const at = carried.objects.findIndex((o, i) => o.type === type && i === carried.objects.map((x) => x.type).lastIndexOf(type));
      return { ...carried, objects: carried.objects.filter((_, i) => i !== at) };
    };
    const tampered = (type: string): CarriedChange => ({
      ...carried,
      objects: carried.objects.map((o) => (o.type === type ? { ...o, data: Buffer.from(Buffer.from(o.data, "base64").toString("latin1").replace(/1|0/, "7"), "latin1").toString("base64") } : o)),
    });

    it.each([
      ["a file left out", () => without("blob"), /blob [0-9a-f]{40} did not come with it/],
      ["a tree left out", () => without("tree"), /tree [0-9a-f]{40} did not come with it/],
      ["the commit left out", () => without("commit"), /its commit did not come with it/],
      ["a file changed on the way", () => tampered("blob"), /blob [0-9a-f]{40} did not come with it/],
      ["a commit changed on the way", () => tampered("commit"), /its commit is [0-9a-f]{40}/],
      ["a tree as git would not write it", () => ({ ...carried, objects: [...carried.objects, { type: "tree" as const, data: Buffer.from("100644 x\0short").toString("base64") }] }), /./],
      ["an object of an unknown type", () => ({ ...carried, objects: [...carried.objects, { type: "tag" as never, data: "" }] }), /type "tag"/],
    ])("%s", async (name, damage, message) => {
      const { dir, repository } = await receiver(`refuse-${name.replace(/\W+/g, "-")}`);
      const error = await repository.receiveCarriedChange(damage(), source.head).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      // Whatever did come is not reachable from any ref: the clone's branches are untouched.
      expect(await git(dir, "for-each-ref", "--format=%(objectname)", "refs/heads")).not.toContain(commit);
    });

    it("names the change in a CarriedChangeError", async () => {
      const { repository } = await receiver("refuse-typed");
      await expect(repository.receiveCarriedChange(without("blob"), source.head)).rejects.toBeInstanceOf(CarriedChangeError);
      await expect(repository.receiveCarriedChange(carried, commit)).rejects.toThrow(/not one commit on/);
    });
  });
});
