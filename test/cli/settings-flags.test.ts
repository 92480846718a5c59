/**
 * `--command name=line` and `--setup line`: what they give the run, laid
 * over the repository's commands and setup, and clear errors for bad ones.
 */
import { describe, expect, it } from "vitest";
import { settingsOf } from "../../src/cli/settings-flags.js";
import { withFlags } from "../../src/cli/read-cli-config.js";
import { EMPTY_COMMANDS_CONFIG } from "../../src/command-sandbox/index.js";

describe("the command and setup flags", () => {
  it("read named commands (the last for a name wins) and setup lines in order", () => {
    const settings = settingsOf({ command: ["test=npm test", "lint=npx eslint .", "test=npm run test:unit"], setup: ["npm ci", "npm run build"] });
    expect(settings.commands).toEqual({ test: "npm run test:unit", lint: "npx eslint ." });
    expect(settings.setup).toEqual(["npm ci", "npm run build"]);
  });

  it("refuse a flag without a name or a command line", () => {
    expect(() => settingsOf({ command: ["npm test"] })).toThrow(/--command must be name=command line/);
    expect(() => settingsOf({ command: ["Test=npm test"] })).toThrow(/lowercase name/);
    expect(() => settingsOf({ command: ["test= "] })).toThrow(/--command must be name=command line/);
    expect(() => settingsOf({ setup: [" "] })).toThrow(/--setup is empty/);
  });

  it("lay over the repository's commands and replace its setup", () => {
    const repo = { commands: { ...EMPTY_COMMANDS_CONFIG, commands: { test: "npm test", lint: "npm run lint" }, setup: ["npm ci"] } };
    const settings = withFlags(repo, { limits: {}, review: {}, commands: { test: "npx vitest run" }, setup: ["pnpm install"] });
    expect(settings.commands?.commands).toEqual({ test: "npx vitest run", lint: "npm run lint" });
    expect(settings.commands?.setup).toEqual(["pnpm install"]);
    expect(withFlags({}, { limits: {}, review: {} }).commands).toBeUndefined();
    expect(withFlags({}, { limits: {}, review: {}, commands: { test: "npm test" } }).commands?.commands).toEqual({ test: "npm test" });
  });
});
