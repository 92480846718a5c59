import { describe, expect, it } from "vitest";
import { commandLimitProblems, jsonDepth, MAX_ARGS_DEPTH, MAX_COMMAND_CHARS } from "../../src/commands/command-limits.js";
import { parseCommand } from "../../src/commands/parse-command.js";

describe("command limits", () => {
  it("measures JSON nesting in one pass, skipping brackets inside strings", () => {
    expect(jsonDepth('{"a": [1, {"b": "[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[[["')).toBe(0);
    expect(jsonDepth("[".repeat(100_000) + "]".repeat(100_000))).toBe(100_000);
  });

  it("accepts a task and arguments within the limits", () => {
    expect(commandLimitProblems("The task", "x".repeat(MAX_COMMAND_CHARS))).toEqual([]);
    expect(commandLimitProblems("The arguments", "[".repeat(MAX_ARGS_DEPTH) + "]".repeat(MAX_ARGS_DEPTH), { json: true })).toEqual([]);
  });

  it("refuses deep arguments and a long task before parsing, naming the limit", () => {
    const deep = parseCommand(`/dynflow run audit ${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(deep).toMatchObject({ kind: "invalid", verb: "run" });
    expect(deep.kind === "invalid" && deep.message).toContain("nest 100,000 levels deep; dynflow takes at most 64");

    const long = parseCommand(`/dynflow run migrate ${"x".repeat(1024 * 1024)}`);
    expect(long.kind === "invalid" && long.message).toMatch(/The task is 1,048,5\d\d characters long; dynflow takes at most 65,536/);
    const plan = parseCommand(`/dynflow plan do it\n\n${"details ".repeat(10_000)}`);
    expect(plan.kind === "invalid" && plan.message).toContain("at most 65,536");
  });
});
