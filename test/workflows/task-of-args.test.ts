import { describe, expect, it } from "vitest";
import { taskOfArgs } from "../../src/workflows/task-of-args.js";

describe("taskOfArgs", () => {
  it.each([
    ["move every fetchJson caller", "move every fetchJson caller"],
    [{ task: " move callers ", by: "module" }, "move callers"],
    [{ problem: "missing auth checks" }, "missing auth checks"],
    [{ focus: "error handling" }, "error handling"],
    [{ by: "module" }, null],
    [["a"], null],
    [null, null],
    [undefined, null],
    ["   ", null],
  ])("%j → %j", (args, task) => {
    expect(taskOfArgs(args as never)).toBe(task);
  });
});
