/**
 * The README's local commands print what they promise: with `npm run -s`,
 * stdout carries only dynflow's own output (no npm banner), so a `--json`
 * example pipes into a JSON parser.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(new URL("README.md", `file://${root}`), "utf8");

describe("README's dynflow commands", () => {
  it("run through npm silently, so --json output is not polluted by npm's banner", () => {
    const commands = readme.split("\n").filter((line) => /npm run\b.*\bdynflow\b/.test(line));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line, line).toMatch(/npm run -s dynflow -- /);
  });

  it("`npm run -s dynflow -- --version` prints the version alone on stdout", async () => {
    const { stdout } = await exec("npm", ["run", "-s", "dynflow", "--", "--version"], { cwd: root });
    const { version } = JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as { version: string };
    expect(stdout).toBe(`${version}\n`);
  }, 30_000);
});
