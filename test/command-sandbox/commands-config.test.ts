/**
 * `commands:`, `setup:` and `sandbox:` in `.github/dynflow.yml`: defaults,
 * shorthands, and one clear error per problem.
 */
import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/config/repo-config.js";
import { DEFAULT_COMMAND_LIMITS } from "../../src/command-sandbox/index.js";

describe("the commands block of the repository config", () => {
  it("defaults to no commands, no setup, no network for setup", () => {
    const parsed = parseRepoConfig("");
    expect(parsed.ok && parsed.config.commands).toEqual({});
    expect(parsed.ok && parsed.config.setup).toEqual([]);
    expect(parsed.ok && parsed.config.sandbox).toEqual({ allow: [], setupNetwork: false, env: {}, limits: DEFAULT_COMMAND_LIMITS });
  });

  it("reads named commands, a single setup line, the allowlist and limits", () => {
    const parsed = parseRepoConfig(
      ["commands:", "  test: npm test", "  typecheck: npx tsc --noEmit", "setup: npm ci", "sandbox:", "  allow: [npx, node]", "  setupNetwork: true", "  limits: { timeoutSeconds: 120 }"].join("\n"),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.config.commands).toEqual({ test: "npm test", typecheck: "npx tsc --noEmit" });
    expect(parsed.config.setup).toEqual(["npm ci"]);
    expect(parsed.config.sandbox.allow).toEqual(["npx", "node"]);
    expect(parsed.config.sandbox.setupNetwork).toBe(true);
    expect(parsed.config.sandbox.limits).toEqual({ ...DEFAULT_COMMAND_LIMITS, timeoutSeconds: 120 });
  });

  it("lists every problem with its path", () => {
    const parsed = parseRepoConfig(
      ["commands:", "  Test: npm test", "  lint: ''", "setup: [1]", "sandbox:", "  allow: [/usr/bin/curl]", "  env: { PATH: /x }", "  limits: { memoryMb: 1, timout: 3 }"].join("\n"),
    );
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors.map((error) => `${error.path} ${error.message}`);
    expect(errors.join("\n")).toContain("commands.Test");
    expect(errors.join("\n")).toContain("commands.lint must not be empty");
    expect(errors.join("\n")).toContain("setup");
    expect(errors.join("\n")).toContain("sandbox.allow[0] must be an executable's name without a path");
    expect(errors.join("\n")).toContain("sandbox.env.PATH");
    expect(errors.join("\n")).toContain("sandbox.limits.memoryMb must be a whole number from 64 to 65536");
    expect(errors.join("\n")).toMatch(/sandbox\.limits\.timout .*timeoutSeconds/);
  });
});
