import { describe, expect, it } from "vitest";
import { parseCommand, type RunCommand } from "../../src/commands/parse-command.js";
import { parseArgs, resolveRunTarget } from "../../src/commands/parse-args.js";

describe("parseArgs", () => {
  it("parses JSON of every kind", () => {
    expect(parseArgs('{"dir": "src", "depth": 2}')).toEqual({ dir: "src", depth: 2 });
    expect(parseArgs("[1, 2]")).toEqual([1, 2]);
    expect(parseArgs("42")).toBe(42);
    expect(parseArgs('"quoted"')).toBe("quoted");
    expect(parseArgs("null")).toBeNull();
  });

  it("keeps text that is not JSON as a trimmed string", () => {
    expect(parseArgs("  src/api only ")).toBe("src/api only");
    expect(parseArgs("{dir: src}")).toBe("{dir: src}");
  });

  it("is undefined for no args", () => {
    expect(parseArgs(undefined)).toBeUndefined();
    expect(parseArgs("   ")).toBeUndefined();
  });
});

describe("resolveRunTarget", () => {
  const run = (body: string): RunCommand => {
    const result = parseCommand(body);
    if (result.kind !== "command" || result.verb !== "run") throw new Error(`not a run command: ${body}`);
    return result;
  };

  it("runs a saved workflow when the caller knows the name", () => {
    const saved = new Set(["audit-routes"]);
    expect(resolveRunTarget(run('/dynflow run audit-routes {"dir":"src"}'), (name) => saved.has(name))).toEqual({
      type: "workflow",
      name: "audit-routes",
      args: { dir: "src" },
    });
    expect(resolveRunTarget(run("/dynflow run audit-routes"), (name) => saved.has(name))).toEqual({
      type: "workflow",
      name: "audit-routes",
      args: undefined,
    });
  });

  it("falls back to the whole text as a task otherwise", () => {
    expect(resolveRunTarget(run("/dynflow run migrate the callers"), () => false)).toEqual({
      type: "task",
      task: "migrate the callers",
    });
    expect(resolveRunTarget(run("/dynflow run Migrate the callers"), () => true)).toEqual({
      type: "task",
      task: "Migrate the callers",
    });
  });
});
