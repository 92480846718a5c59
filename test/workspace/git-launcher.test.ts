import { execFileSync, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GitLauncher, type GitChild } from "../../src/workspace/git-launcher.js";
import { gitEnvironment } from "../../src/workspace/git-env.js";
import { testGitEnv } from "./git-fixture.js";

const ENV = gitEnvironment(testGitEnv());
const launchers: GitLauncher[] = [];

function launcher(options: ConstructorParameters<typeof GitLauncher>[0] = {}): GitLauncher {
  const made = new GitLauncher(options);
  launchers.push(made);
  return made;
}

afterEach(() => {
  for (const made of launchers.splice(0)) made.close();
});

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  errors: Error[];
  events: string[];
}

/** Collects what a started process prints and how it ends, as `runGit` does. */
function finish(child: GitChild, input?: string | Buffer): Promise<Finished> {
  const out: Buffer[] = [];
  let stderr = "";
  const errors: Error[] = [];
  const events: string[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.on("error", () => undefined);
  child.on("error", (error) => {
    events.push("error");
    errors.push(error);
  });
  child.on("exit", () => events.push("exit"));
  if (input !== undefined) child.stdin.end(input);
  return new Promise((resolve) =>
    child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
      events.push("close");
      resolve({ code, signal, stdout: Buffer.concat(out), stderr, errors, events });
    }),
  );
}

const sh = (script: string) => ["-c", script];

describe("GitLauncher", () => {
  it("starts processes from the launcher, not from this process, with only the environment each is given", async () => {
    const git = launcher();
    const ran = await finish(git.launch("sh", sh('echo "$PPID"; env'), { cwd: "/", env: { PATH: process.env.PATH, ONLY: "this" } }), "");
    expect(ran.code).toBe(0);
    const [parent, ...environment] = ran.stdout.toString("utf8").trim().split("\n");
    const launcherPid = Number(parent);
    expect(launcherPid).not.toBe(process.pid);
    expect(environment).toContain("ONLY=this");
    expect(environment.some((line) => line.startsWith("HOME="))).toBe(false);
    // The launcher itself runs with no environment but its channel to this process: nothing of this process's (secrets included) reaches it.
    const launcherEnvironment = (await readFile(`/proc/${launcherPid}/environ`, "utf8")).split("\0").filter((entry) => entry !== "");
    expect(launcherEnvironment.map((entry) => entry.split("=")[0]).sort()).toEqual(["NODE_CHANNEL_FD", "NODE_CHANNEL_SERIALIZATION_MODE"]);
  });

  it("passes input, output, errors and the exit code through as spawn does, input written before the process started included", async () => {
    const git = launcher();
    const big = Buffer.alloc(3 * 1024 * 1024, "0123456789abcdef\n");
    const copied = await finish(git.launch("sh", sh("cat; echo warning >&2; exit 3"), { cwd: "/", env: ENV }), big);
    expect(copied.code).toBe(3);
    expect(copied.stdout.equals(big)).toBe(true);
    expect(copied.stderr).toBe("warning\n");
    expect(copied.events).toEqual(["exit", "close"]);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => finish(git.launch("git", ["hash-object", "--stdin"], { cwd: "/", env: ENV }), `content ${i}\n`)),
    );
    const expected = await Promise.all(Array.from({ length: 20 }, (_, i) => finish(spawn("git", ["hash-object", "--stdin"], { env: ENV }), `content ${i}\n`)));
    expect(answers.map((a) => a.stdout.toString())).toEqual(expected.map((e) => e.stdout.toString()));
  });

  it("serves a long-lived process request by request", async () => {
    const git = launcher();
    const child = git.launch("git", ["hash-object", "--stdin-paths", "--no-filters"], { cwd: "/", env: ENV });
    const done = finish(child);
    const lines: string[] = [];
    child.stdout.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
    const path = fileURLToPath(import.meta.url);
    child.stdin.write(`${path}\n`);
    await new Promise((resolve) => child.stdout.once("data", resolve));
    child.stdin.write(`${path}\n`);
    child.stdin.end();
    expect((await done).code).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(lines[1]).toBe(lines[0]);
  });

  it("sends requests corked together in one write, as spawn's pipe does", async () => {
    const git = launcher();
    const child = git.launch("cat", [], { cwd: "/", env: ENV });
    const done = finish(child);
    let echoed = "";
    child.stdout.on("data", (chunk: Buffer) => (echoed += chunk.toString("utf8")));
    // The process runs and its input is connected once the first line comes back.
    child.stdin.write("first\n");
    await new Promise((resolve) => child.stdout.once("data", resolve));
    const writes = vi.spyOn(Socket.prototype, "write");
    try {
      child.stdin.cork();
      for (let i = 0; i < 50; i++) child.stdin.write(`request ${i}\n`);
      child.stdin.uncork();
      await vi.waitFor(() => expect(echoed).toContain("request 49\n"));
      const carrying = writes.mock.calls.filter(([data]) => String(data).includes("request "));
      expect(carrying).toHaveLength(1);
    } finally {
      writes.mockRestore();
    }
    child.stdin.end();
    expect((await done).code).toBe(0);
    expect(echoed).toBe(`first\n${Array.from({ length: 50 }, (_, i) => `request ${i}\n`).join("")}`);
  });

  it("kills on request and on an aborted signal", async () => {
    const git = launcher();
    const killed = git.launch("sh", sh("exec sleep 30"), { cwd: "/", env: ENV });
    const ended = finish(killed);
    // Asked at once, before the launcher may even have started it.
    expect(killed.kill("SIGKILL")).toBe(true);
    expect(await ended).toMatchObject({ code: null, signal: "SIGKILL" });

    const controller = new AbortController();
    const aborted = finish(git.launch("sh", sh("exec sleep 30"), { cwd: "/", env: ENV, signal: controller.signal }));
    setTimeout(() => controller.abort(), 200);
    const result = await aborted;
    expect(result.signal).toBe("SIGTERM");
    expect(result.errors.map((e) => e.name)).toEqual(["AbortError"]);
  });

  it("reports a program that cannot be started as spawn does: an error, then close", async () => {
    const result = await finish(launcher().launch("dynflow-no-such-program", [], { cwd: "/", env: ENV }), "");
    expect(result.errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["ENOENT"]);
    expect(result.events).toEqual(["error", "close"]);
  });

  it("fails what ran under a launcher that died, and starts a new launcher for the next process", async () => {
    const git = launcher();
    const first = git.launch("sh", sh('echo "$PPID"; exec sleep 30'), { cwd: "/", env: ENV });
    const ended = finish(first);
    const launcherPid = await new Promise<number>((resolve) => first.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString()))));
    process.kill(launcherPid, "SIGKILL");
    const result = await ended;
    expect(result.errors.map((e) => e.message)).toEqual(["the git launcher stopped"]);
    const next = await finish(git.launch("sh", sh('echo "$PPID"'), { cwd: "/", env: ENV }), "");
    expect(next.code).toBe(0);
    expect(Number(next.stdout.toString())).not.toBe(launcherPid);
    expect(Number(next.stdout.toString())).not.toBe(process.pid);
  });

  it("starts ahead of the first process when prepared, the first process then started by it", async () => {
    const launchers = () =>
      execFileSync("ps", ["--ppid", String(process.pid), "-o", "pid=,args="], { encoding: "utf8" })
        .split("\n")
        .filter((line) => line.includes(" -e ") && line.includes("launcher.sock"));
    const before = launchers();
    const git = launcher();
    expect(await git.prepare()).toBe(true);
    const running = launchers().filter((line) => !before.includes(line));
    expect(running).toHaveLength(1);
    const ran = await finish(git.launch("sh", sh('echo "$PPID"'), { cwd: "/", env: ENV }), "");
    const launcherPid = Number(ran.stdout.toString());
    expect(running[0]!.trim().split(" ")[0]).toBe(String(launcherPid));
  });

  it("starts processes itself when the launcher cannot be started", async () => {
    const missing = launcher({ nodePath: "/nonexistent/node" });
    // Asked for while the launcher was still being started: a program that cannot start either still ends.
    const failed = await finish(missing.launch("dynflow-no-such-program", [], { cwd: "/", env: ENV }), "");
    expect(failed.errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["ENOENT"]);
    expect(failed.events).toEqual(["error", "close"]);

    const git = launcher({ nodePath: "/nonexistent/node" });
    expect(await git.prepare()).toBe(false);
    const results = await Promise.all([1, 2].map(() => finish(git.launch("sh", sh('echo "$PPID"'), { cwd: "/", env: ENV }), "")));
    for (const result of results) expect(Number(result.stdout.toString())).toBe(process.pid);
  });

  it("does not keep a process alive once its git processes are done", async () => {
    const module = new URL("../../src/workspace/git-launcher.ts", import.meta.url).href;
    const script = `import { GitLauncher } from ${JSON.stringify(module)};
const child = new GitLauncher().launch("git", ["--version"], { cwd: "/", env: { PATH: process.env.PATH } });
child.stdout.on("data", (chunk) => process.stdout.write(chunk));
child.stdin.end();`;
    const node = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    node.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => node.kill("SIGKILL"), 15_000);
    const code = await new Promise((resolve) => node.on("exit", (exitCode, signal) => resolve(exitCode ?? signal)));
    clearTimeout(timer);
    expect(out).toMatch(/^git version /);
    expect(code).toBe(0);
  });
});
