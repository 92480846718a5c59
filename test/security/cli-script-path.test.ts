/**
 * Attack class: a script (or a model-written plan) run with `dynflow run`
 * reading files outside the repository through `workflow({ scriptPath })`.
 * Before, the path was resolved against the current directory and read
 * whatever it named; now only files inside the repository are read.
 */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { RunJson } from "../../src/cli/to-run-json.js";
import { makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";

const META = `export const meta = { name: "t", description: "t" };\n`;
const OUTSIDE = `${META}return "read from outside the repository";\n`;

let repo: { dir: string };
let outside: string;
let scripts: string;

beforeAll(async () => {
  repo = await makeRepo({ "README.md": "# r\n", "flows/inner.js": `${META}return "inner ok";\n` });
  outside = await tempDir("dynflow-outside-");
  await writeFile(join(outside, "secret.js"), OUTSIDE);
  await mkdir(join(repo.dir, "links"), { recursive: true });
  await symlink(join(outside, "secret.js"), join(repo.dir, "links", "secret.js"));
  scripts = await tempDir("dynflow-scripts-");
});
afterAll(async () => {
  await removeDir(repo.dir);
  await removeDir(outside);
  await removeDir(scripts);
});

async function runWith(scriptPath: string): Promise<RunJson> {
  await writeFile(join(scripts, "main.js"), `${META}return await workflow({ scriptPath: ${JSON.stringify(scriptPath)} });\n`);
  let out = "";
  let err = "";
  const env = { ...testGitEnv(), ANTHROPIC_API_KEY: "sk-unused", ANTHROPIC_BASE_URL: "http://127.0.0.1:9" };
  await main(["run", "--repo", repo.dir, "--script", join(scripts, "main.js"), "--json"], { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: repo.dir, isTty: false, env });
  if (out === "") throw new Error(`dynflow run printed nothing: ${err}`);
  return JSON.parse(out) as RunJson;
}

describe("dynflow run: workflow({ scriptPath })", () => {
  it("reads a workflow inside the repository", async () => {
    const json = await runWith("flows/inner.js");
    expect(json.status).toBe("ok");
  });

  it.each([
    ["an absolute path", () => join(outside, "secret.js")],
    ["a path that climbs out", () => "../../../../../../../../tmp/../" + join(outside, "secret.js").slice(1)],
    ["a symlink inside the repository that points out", () => "links/secret.js"],
    ["a path into .git", () => ".git/config"],
  ])("refuses %s", async (_what, path) => {
    const json = await runWith(path());
    expect(json.status).toBe("error");
    expect(JSON.stringify(json)).not.toContain("read from outside the repository");
  });
});
