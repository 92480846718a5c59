import { describe, expect, it } from "vitest";
import { classifyGuestError, findScriptLocation } from "../../../src/runtime/sandbox/describe-guest-error.js";
import { DEFAULT_SANDBOX_LIMITS } from "../../../src/runtime/types.js";

const scripts = new Set(["script.js", "workflows/a:b.js"]);
const isScript = (file: string) => scripts.has(file);

describe("findScriptLocation", () => {
  it("skips the sandbox's own frames and native frames", () => {
    const stack = [
      "    at makeError (dynflow:guards:5:24)",
      "    at get (dynflow:guards:15:22)",
      "    at map (native)",
      "    at run (script.js:12:7)",
      "    at <eval> (script.js:40:1)",
    ].join("\n");
    expect(findScriptLocation(stack, isScript)).toEqual({ file: "script.js", line: 12 });
  });

  it("reads frames without a function name and file names containing colons", () => {
    expect(findScriptLocation("    at script.js:3:9\n", isScript)).toEqual({ file: "script.js", line: 3 });
    expect(findScriptLocation("    at f (workflows/a:b.js:8:2)\n", isScript)).toEqual({ file: "workflows/a:b.js", line: 8 });
    expect(findScriptLocation("    at f (script.js:4)\n", isScript)).toEqual({ file: "script.js", line: 4 });
  });

  it("finds nothing when no frame is in a script file", () => {
    expect(findScriptLocation("    at <eval> (node:fs:1:1)\n", isScript)).toBeUndefined();
    expect(findScriptLocation(undefined, isScript)).toBeUndefined();
  });
});

describe("classifyGuestError", () => {
  const limits = DEFAULT_SANDBOX_LIMITS;

  it("maps the engine's memory and stack errors to limit codes with the location", () => {
    const stack = "    at grow (script.js:2:3)\n";
    expect(classifyGuestError({ name: "InternalError", message: "out of memory", stack }, limits, isScript)).toMatchObject({
      code: "script_memory",
      line: 2,
      file: "script.js",
    });
    for (const facts of [
      { name: "InternalError", message: "stack overflow" },
      { name: "SyntaxError", message: "stack overflow" },
      { name: "RangeError", message: "Maximum call stack size exceeded" },
    ]) {
      expect(classifyGuestError(facts, limits, isScript).code).toBe("script_stack");
    }
  });

  it("keeps a thrown code and message, and prefixes the name of uncoded non-Error errors", () => {
    expect(classifyGuestError({ name: "Error", message: "m", code: "no_modules" }, limits, isScript)).toEqual({
      code: "no_modules",
      message: "m",
    });
    expect(classifyGuestError({ name: "TypeError", message: "x is not a function" }, limits, isScript)).toEqual({
      code: "script_error",
      message: "TypeError: x is not a function",
    });
    expect(classifyGuestError({ name: "Error", message: "plain" }, limits, isScript).message).toBe("plain");
    expect(classifyGuestError({ message: "thrown string" }, limits, isScript)).toEqual({ code: "script_error", message: "thrown string" });
  });
});
