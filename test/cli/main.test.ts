import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io.js";
import { main } from "../../src/cli/main.js";

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return { io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: process.cwd(), isTty: false, env: {} }, out: () => out, err: () => err };
}

const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

describe("dynflow", () => {
  it.each([["--version"], ["-v"], ["version"]])("%s prints the version on stdout and exits 0", async (flag) => {
    const cli = capture();
    expect(await main([flag], cli.io)).toBe(0);
    expect(cli.out()).toBe(`${version}\n`);
    expect(cli.err()).toBe("");
  });

  it("without a command is a usage error: usage on stderr, exit 2, nothing on stdout", async () => {
    const cli = capture();
    expect(await main([], cli.io)).toBe(2);
    expect(cli.out()).toBe("");
    expect(cli.err()).toContain("Usage: dynflow <command>");
  });

  it.each([["--help"], ["-h"], ["help"]])("%s prints the usage on stdout and exits 0", async (flag) => {
    const cli = capture();
    expect(await main([flag], cli.io)).toBe(0);
    expect(cli.out()).toContain("Usage: dynflow <command>");
    expect(cli.out()).toContain("clean --repo <path>");
    expect(cli.err()).toBe("");
  });

  it("help <command> prints that command's usage; an unknown one is a usage error", async () => {
    const known = capture();
    expect(await main(["help", "clean"], known.io)).toBe(0);
    expect(known.out()).toContain("Usage: dynflow clean --repo <path>");
    const unknown = capture();
    expect(await main(["help", "nope"], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('unknown command "nope"');
    expect(unknown.out()).toBe("");
  });
});
