/**
 * `dynflow run` finds a saved workflow by the same rules as the app: the name
 * with or without `.js`, the same folders at the base commit, and the same
 * refusals (not a regular file, not UTF-8) instead of silently falling back.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import { makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";

const HELPER = `export const meta = { name: "helper", description: "doubles" }\nreturn { doubled: args.n * 2 }\n`;

describe("dynflow run: workflow(name) reads saved workflows as the app does", () => {
  let scripts: string;
  let repos: string[];
  const env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: "http://127.0.0.1:9" };

  beforeEach(async () => {
    scripts = await tempDir("dynflow-saved-scripts-");
    repos = [];
  });
  afterEach(async () => {
    for (const dir of [scripts, ...repos]) await removeDir(dir);
  });

  /** Runs a script calling `workflow(<call>)` on a repository of `files`; the exit code, the JSON and the report. */
  async function runCalling(call: string, files: Record<string, string | Buffer>) {
    const repo = await makeRepo(files);
    repos.push(repo.dir);
    await writeFile(join(scripts, "calls.js"), `export const meta = { name: "calls", description: "d" }\nreturn await workflow(${call})\n`);
    let out = "";
    const io: CliIo = { stdout: (text) => void (out += text), stderr: () => undefined, cwd: scripts, isTty: false, env };
    const code = await main(["run", "--repo", repo.dir, "--script", "calls.js", "--json"], io);
    const json = JSON.parse(out) as { status: string; report: string };
    return { code, json, report: await readFile(json.report, "utf8") };
  }

  it("accepts the name with .js, as the app does", async () => {
    const run = await runCalling(`"helper.js", { n: 21 }`, { "README.md": "# r\n", ".claude/workflows/helper.js": HELPER });
    expect(run.code).toBe(0);
    expect(run.json.status).toBe("ok");
  });

  it("refuses a saved workflow that is not a regular file instead of looking elsewhere", async () => {
    const run = await runCalling(`"helper"`, { "README.md": "# r\n", ".claude/workflows/helper.js/README.md": "a folder\n" });
    expect(run.code).toBe(1);
    expect(run.report).toContain("saved workflow .claude/workflows/helper.js cannot be used: it is not a regular file");
  });

  it("refuses a saved workflow that is not UTF-8 text", async () => {
    const run = await runCalling(`"helper"`, { "README.md": "# r\n", ".claude/workflows/helper.js": Buffer.from([0x65, 0xff, 0xfe, 0x00]) });
    expect(run.code).toBe(1);
    expect(run.report).toContain("saved workflow .claude/workflows/helper.js cannot be used: it is not UTF-8 text");
  });
});
