/**
 * Pushing workers' changes to the remote (share-changes.ts): changes of one
 * clone that come while a push is in flight go together in the next push,
 * and a ref the remote refuses fails its own change only. Real git: a local
 * bare remote whose hooks count the pushes and refuse one branch.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publishChange, type RemoteExchange } from "../../../src/queue/agents/share-changes.js";
import type { ChangeRef } from "../../../src/runtime/types.js";
import { PushRejectedError } from "../../../src/workspace/errors.js";
import { openRepository } from "../../../src/workspace/index.js";
import { makeRemote } from "../../durability/app-processes.js";
import { startGitHttpServer } from "../../fakes/git-http-server.js";
import { agentChange, bloblessClone, git, loggingGit, makeRepo, removeDir, tempDir, testGitEnv, withoutProxy } from "../../workspace/git-fixture.js";

let work: string;
let clone: string;
let remote: string;
let head: string;

beforeEach(async () => {
  work = await tempDir("dynflow-publish-");
  const source = await makeRepo({ "a.txt": "a\n" });
  clone = source.dir;
  head = source.head;
  remote = join(work, "remote.git");
  await git(work, "init", "-q", "--bare", remote);
  // Every push the remote receives is a line in pushes.log; the branch named "refused" is refused.
  await writeFile(join(remote, "hooks", "pre-receive"), `#!/bin/sh\necho push >> "${join(work, "pushes.log")}"\n`);
  await writeFile(join(remote, "hooks", "update"), `#!/bin/sh\ncase "$1" in *refused*) echo "not this one" >&2; exit 1;; esac\n`);
  await chmod(join(remote, "hooks", "pre-receive"), 0o755);
  await chmod(join(remote, "hooks", "update"), 0o755);
});

afterEach(async () => {
  await removeDir(clone);
  await removeDir(work);
});

function exchange(): RemoteExchange {
  return { dir: clone, cloneUrl: `file://${remote}`, token: async () => undefined, env: testGitEnv() };
}

async function change(branch: string): Promise<ChangeRef> {
  await git(clone, "branch", branch, head);
  return { branch, commit: head, base: head, files: [], additions: 0, deletions: 0, incomplete: false };
}

const pushes = async () => (await readFile(join(work, "pushes.log"), "utf8").catch(() => "")).split("\n").filter(Boolean).length;

describe("publishChange", () => {
  it("pushes the changes that came while a push of the clone was in flight together, in one more push", async () => {
    const changes = await Promise.all(["dynflow/r/a", "dynflow/r/b", "dynflow/r/c", "dynflow/r/d"].map(change));

    await Promise.all(changes.map((c) => publishChange(c, exchange())));

    expect(await git(remote, "for-each-ref", "--format=%(refname)", "refs/heads/dynflow")).toBe(changes.map((c) => `refs/heads/${c.branch}`).join("\n"));
    // The first went alone; the three that came meanwhile went together.
    expect(await pushes()).toBe(2);
  });

  it("fails only the change whose ref the remote refused, in a push it shared", async () => {
    const [first, refused, kept] = await Promise.all(["dynflow/r/first", "dynflow/r/refused", "dynflow/r/kept"].map(change));

    const outcomes = await Promise.allSettled([first, refused, kept].map((c) => publishChange(c!, exchange())));

    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const error = (outcomes[1] as PromiseRejectedResult).reason as PushRejectedError;
    expect(error).toBeInstanceOf(PushRejectedError);
    expect(error.results.map((r) => r.destination)).toEqual(["refs/heads/dynflow/r/refused"]);
    expect(await git(remote, "for-each-ref", "--format=%(refname)", "refs/heads/dynflow")).toBe("refs/heads/dynflow/r/first\nrefs/heads/dynflow/r/kept");
    expect(await pushes()).toBe(2);
  });

  it("pushes a change that comes after the others were pushed on its own", async () => {
    await publishChange(await change("dynflow/r/one"), exchange());
    await publishChange(await change("dynflow/r/two"), exchange());
    expect(await pushes()).toBe(2);
    expect(await git(remote, "rev-parse", "refs/heads/dynflow/r/two")).toBe(head);
  });
});

describe("publishChange over HTTP", () => {
  it("pushes with the pack built from the clone's repository when the exchange has one: no git process for the push", async () => {
    const logging = await loggingGit();
    const server = await startGitHttpServer(work);
    try {
      await makeRemote(work, "shared", { "a.txt": "a\n" });
      const bare = await bloblessClone(work, `${server.url}/shared.git`, "shared-clone.git");
      const env = withoutProxy(logging.env);
      const repository = await openRepository(bare, { env });
      try {
        const made = await agentChange(repository, await repository.resolveCommit("refs/heads/main"), { "b.txt": "b\n" }, "r-3");
        const callsBefore = (await logging.calls()).length;

        await publishChange(made, { dir: bare, cloneUrl: `${server.url}/shared.git`, token: async () => "ghs_unused", env, objects: repository });

        expect((await logging.calls()).slice(callsBefore).filter((call) => !call.startsWith("config --get-regexp"))).toEqual([]);
        expect(await git(join(work, "shared.git"), "rev-parse", `refs/heads/${made.branch}`)).toBe(made.commit);
      } finally {
        await repository.close();
      }
    } finally {
      await server.close();
      await removeDir(logging.dir);
    }
  });
});
