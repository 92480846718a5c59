/**
 * Real commands in the real sandbox over a real git repository: what they
 * see (the base tree with the agent's changes, nothing of the host), what
 * they cannot do (network, secrets), and the limits that stop them.
 */
import { createServer, type Server } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandSandbox, SetupFailedError } from "../../src/command-sandbox/index.js";
import { openRepository, type GitRepository, type LayerFile } from "../../src/workspace/index.js";
import { makeRepo, removeDir, tempDir, type FixtureRepo } from "../workspace/git-fixture.js";
import { availability, skipSandbox } from "./sandbox-harness.js";

const file = (path: string, content: string | null): LayerFile => ({ path, content: content === null ? null : Buffer.from(content), executable: false, symlink: false });

describe("the sandbox on this host", () => {
  it("is available (in CI it must be)", () => {
    if (skipSandbox) return;
    expect(availability).toEqual({ available: true });
  });
});

describe.skipIf(skipSandbox)("a sandboxed command", () => {
  let fixture: FixtureRepo;
  let repository: GitRepository;
  let sandbox: CommandSandbox;
  let server: Server;
  let port: number;
  let hostSecretFile: string;
  let hostDir: string;

  beforeAll(async () => {
    fixture = await makeRepo({ "a.txt": "base a\n", "b.txt": "base b\n", "src/c.txt": "base c\n" });
    repository = await openRepository(fixture.dir);
    sandbox = await CommandSandbox.create({ repository, baseCommit: fixture.head, limits: { timeoutSeconds: 120 } });
    server = createServer((_req, res) => res.end("reached the host"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    hostDir = await tempDir("dynflow-host-");
    hostSecretFile = `${hostDir}/host-secret.txt`;
    await writeFile(hostSecretFile, "host secret\n");
  });

  afterAll(async () => {
    await sandbox?.close();
    await repository?.close();
    server?.close();
    await removeDir(fixture.dir);
    await removeDir(hostDir);
  });

  it("sees the base tree with the agent's changes laid over it, and leaves nothing behind for the next command", async () => {
    const layer = [file("a.txt", "changed a\n"), file("b.txt", null), file("src/new/d.txt", "new d\n")];
    const seen = await sandbox.run("pwd; cat a.txt src/c.txt src/new/d.txt; test -e b.txt || echo b gone; echo scratch > a.txt; echo extra > e.txt", layer);
    expect(seen.exitCode).toBe(0);
    expect(seen.output).toBe("/work\nchanged a\nbase c\nnew d\nb gone\n");
    const after = await sandbox.run("cat a.txt b.txt; test -e e.txt || echo e gone", []);
    expect(after.output).toBe("base a\nbase b\ne gone\n");
  });

  it("runs the changes of a committed tree (layerBetween), as checks and refuters do", async () => {
    const workspace = await repository.fork({ runId: "sb", slug: "w", baseCommit: fixture.head });
    await workspace.write("src/c.txt", "edited c\n");
    await workspace.delete("a.txt");
    const change = await workspace.commit({ message: "edit", author: { name: "t", email: "t@example.com" } });
    const layer = await repository.layerBetween(fixture.head, change!.commit);
    const result = await sandbox.run("cat src/c.txt; test -e a.txt || echo a gone", layer);
    expect(result.output).toBe("edited c\na gone\n");
    expect((await sandbox.run("cat src/c.txt", workspace.layer())).output).toBe("edited c\n");
  });

  it("has no network: a server on the host's loopback cannot be reached", async () => {
    const script = `fetch("http://127.0.0.1:${port}/").then(r => r.text()).then(t => console.log("REACHED", t), e => { console.log("refused:", e.cause?.code ?? e.message); process.exit(7); })`;
    const result = await sandbox.run(`node -e '${script}'`, []);
    expect(result.output).not.toContain("REACHED");
    expect(result.exitCode).toBe(7);
    const links = await sandbox.run("cat /proc/net/dev", []);
    expect(links.output).not.toMatch(/eth|ens|veth/);
  });

  it("cannot see the host: not the repository's .git, not $HOME, not other temp files", async () => {
    const home = process.env.HOME ?? "/root";
    const result = await sandbox.run(
      `ls -a /work; cat ${fixture.dir}/.git/HEAD; cat ${hostSecretFile}; ls ${home}; ls /; cat /proc/1/cmdline | tr '\\0' ' '; echo`,
      [],
    );
    expect(result.output).not.toContain(".git\n");
    expect(result.output).not.toContain("ref: refs/heads/main");
    expect(result.output).not.toContain("host secret");
    expect(result.output).toContain(`${fixture.dir}/.git/HEAD: No such file or directory`);
    // Its process 1 is the sandbox's own, and no process of the host is there.
    expect(result.output).toContain("dynflow-sandbox");
  });

  it("gets no secret from dynflow's environment", async () => {
    const saved = { key: process.env.ANTHROPIC_API_KEY, token: process.env.GITHUB_TOKEN };
    process.env.ANTHROPIC_API_KEY = "sk-ant-canary-0123456789";
    process.env.GITHUB_TOKEN = "ghs_canary0123456789";
    try {
      const result = await sandbox.run("env; cat /proc/self/environ | tr '\\0' '\\n'", []);
      expect(result.exitCode).toBe(0);
      expect(result.output).toContain("HOME=/home/sandbox");
      expect(result.output).not.toContain("canary");
      expect(result.output).not.toMatch(/ANTHROPIC|GITHUB_TOKEN/);
    } finally {
      if (saved.key === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved.key;
      if (saved.token === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = saved.token;
    }
  });

  it("keeps the head and tail of 100 MB of output and says it cut the rest", async () => {
    const result = await sandbox.run("echo FIRST; head -c 100000000 /dev/zero | tr '\\0' x; echo; echo LAST", []);
    expect(result.exitCode).toBe(0);
    expect(result.truncated).toBe(true);
    expect(result.outputBytes).toBeGreaterThan(100_000_000);
    expect(result.output.length).toBeLessThan(sandbox.limits.outputKb * 1024 + 200);
    expect(result.output.startsWith("FIRST\n")).toBe(true);
    expect(result.output.endsWith("LAST\n")).toBe(true);
    expect(result.output).toMatch(/\[\.\.\. \d+ bytes of output left out \(\d+ in all\)/);
  });

  it("stops a command at its wall time and kills everything it started", async () => {
    const short = await CommandSandbox.create({ repository, baseCommit: fixture.head, limits: { timeoutSeconds: 2 } });
    try {
      const result = await short.run("sleep 31415 & sleep 31416 & echo started; wait", []);
      expect(result.limit).toBe("timeout");
      expect(result.output).toContain("started");
      expect(await gone("sleep 3141")).toEqual([]);
    } finally {
      await short.close();
    }
  });

  it("bounds a fork bomb by its process limit and wall time, and leaves no process behind", async () => {
    const bombing = await CommandSandbox.create({ repository, baseCommit: fixture.head, limits: { timeoutSeconds: 5, processes: 64 } });
    try {
      const result = await bombing.run("bomb_dynflow_test() { bomb_dynflow_test | bomb_dynflow_test & }; bomb_dynflow_test; sleep 60", []);
      // It came back: the process limit refused forks, the wall time ended what was left.
      expect(result.output.toLowerCase()).toMatch(/fork|resource temporarily unavailable/);
      expect(await gone("bomb_dynflow_test")).toEqual([]);
    } finally {
      await bombing.close();
    }
  });

  it("stops a command at its CPU limit and says so", async () => {
    const busy = await CommandSandbox.create({ repository, baseCommit: fixture.head, limits: { cpuSeconds: 1, timeoutSeconds: 300 } });
    try {
      const result = await busy.run("exec node -e 'for(;;){}'", []);
      expect(result.limit).toBe("cpu");
    } finally {
      await busy.close();
    }
  });

  it("bounds memory: a process cannot take more writable memory than its limit", async () => {
    const small = await CommandSandbox.create({ repository, baseCommit: fixture.head, limits: { memoryMb: 2048 } });
    try {
      const result = await small.run(`node -e 'const a = []; for (let i = 0; i < 64; i++) a.push(Buffer.alloc(64 * 1024 * 1024, 1)); console.log("ALLOCATED")'`, []);
      expect(result.exitCode).not.toBe(0);
      expect(result.output).not.toContain("ALLOCATED");
    } finally {
      await small.close();
    }
  });

  it("runs setup once on the base tree; its results are seen by every later command, read-only underneath", async () => {
    const withSetup = await CommandSandbox.create({ repository, baseCommit: fixture.head });
    try {
      const results = await withSetup.setup(["mkdir -p node_modules/dep && echo installed > node_modules/dep/index.js"], { network: false });
      expect(results[0]?.exitCode).toBe(0);
      const first = await withSetup.run("cat node_modules/dep/index.js; echo changed > node_modules/dep/index.js", []);
      expect(first.output).toBe("installed\n");
      expect((await withSetup.run("cat node_modules/dep/index.js", [])).output).toBe("installed\n");
    } finally {
      await withSetup.close();
    }
  });

  it("fails setup with the failing command's output", async () => {
    const failing = await CommandSandbox.create({ repository, baseCommit: fixture.head });
    try {
      const error = await failing.setup(["echo fine", "echo npm ERR! missing lockfile; exit 3"], { network: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SetupFailedError);
      expect((error as SetupFailedError).exitCode).toBe(3);
      expect((error as SetupFailedError).message).toContain("npm ERR! missing lockfile");
    } finally {
      await failing.close();
    }
  });

  it("lets setup use the network only when allowed", async () => {
    const net = await CommandSandbox.create({ repository, baseCommit: fixture.head });
    const noNet = await CommandSandbox.create({ repository, baseCommit: fixture.head });
    try {
      const fetchIt = `node -e 'fetch("http://127.0.0.1:${port}/").then(r => r.text()).then(t => console.log(t))'`;
      const allowed = await net.setup([fetchIt], { network: true });
      expect(allowed[0]?.output).toContain("reached the host");
      const refused = await noNet.setup([fetchIt], { network: false }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SetupFailedError);
      expect((refused as Error).message).not.toContain("reached the host");
    } finally {
      await net.close();
      await noNet.close();
    }
  });
});

/**
 * Waits (up to a minute, polling) until no process has `marker` in its command line; returns those left.
 * The kernel ends a namespace's processes after its first process is killed, not at the same instant.
 */
async function gone(marker: string): Promise<string[]> {
  for (let i = 0; i < 600; i++) {
    if (processesWith(marker).length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return processesWith(marker);
}

/** Processes of this host whose command line contains `marker`. */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(marker) && !cmdline.includes("vitest")) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
