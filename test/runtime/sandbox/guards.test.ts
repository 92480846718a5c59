import { describe, expect, it } from "vitest";
import { BUILTIN_GLOBALS } from "../../../src/runtime/sandbox/builtins/index.js";
import { errorOf, runScript } from "./sandbox-harness.js";

/** Guest code that evaluates each expression and records `[code, message]` of what it threw, or its value. */
function probe(expressions: string[]): string {
  const cases = expressions.map((expression) => `() => (${expression})`).join(",\n");
  return `[${cases}].map((fn) => {
    try { return ["value", String(fn())]; } catch (e) { return [e.code ?? e.name, e.message]; }
  })`;
}

async function probeAll(expressions: string[]): Promise<[string, string][]> {
  const result = await runScript(probe(expressions));
  if (!result.ok) throw new Error(`probe failed: ${JSON.stringify(result.error)}`);
  return result.value as [string, string][];
}

describe("sandbox guards: host objects", () => {
  it("makes host globals throw script_forbidden with the reason", async () => {
    const names = [
      ...["process", "require", "module", "exports", "Buffer", "__dirname"],
      ...["fetch", "XMLHttpRequest", "WebSocket"],
      ...["setTimeout", "setInterval", "setImmediate", "clearTimeout"],
    ];
    const seen = await probeAll([...names, "typeof process"]);
    for (const [index, name] of names.entries()) {
      expect(seen[index]?.[0]).toBe("script_forbidden");
      expect(seen[index]?.[1]).toMatch(new RegExp(`^${name} is not available in a dynflow script: scripts have no`));
    }
    // typeof reads the global too, and fails the same way: a script has nothing to detect.
    expect(seen[names.length]?.[0]).toBe("script_forbidden");
  });

  it("reports an uncaught access with its code, the message and the script line", async () => {
    const error = errorOf(await runScript(`const ok = 1;\nconst env = process.env;`));
    expect(error).toEqual({
      code: "script_forbidden",
      message: "process is not available in a dynflow script: scripts have no host access; agents do the work",
      line: 2,
      file: "script.js",
    });
    const required = errorOf(await runScript(`\n\nrequire("fs")`));
    expect(required).toMatchObject({ code: "script_forbidden", line: 3 });
  });

  it("refuses import() with script_forbidden", async () => {
    const error = errorOf(await runScript(`(async () => { await import("node:fs"); })()`));
    expect(error.code).toBe("script_forbidden");
    expect(error.message).toContain('import("node:fs") is not available in a dynflow script');
    const caught = await runScript(`(async () => { try { await import("./x.js"); } catch (e) { return e.code; } })()`);
    expect(caught).toEqual({ ok: true, value: "script_forbidden" });
  });

  it("lets a script define its own functions under guarded names", async () => {
    const result = await runScript(
      `function fetch() { return "mine"; }\nglobalThis.setTimeout = (fn) => fn();\nlet r; setTimeout(() => { r = fetch(); }); r`,
    );
    expect(result).toEqual({ ok: true, value: "mine" });
  });
});

describe("sandbox guards: escapes", () => {
  it("keeps constructor chains inside the guest", async () => {
    const chain = errorOf(await runScript(`this.constructor.constructor("return process")()`));
    expect(chain.code).toBe("script_forbidden");
    const result = await runScript(`(async () => {
      const g = (() => {}).constructor("return globalThis")();
      const viaFunction = Function("return this")();
      const fromHost = await hostEcho({ a: 1 });
      return [
        g === globalThis,
        viaFunction === globalThis,
        Object.getPrototypeOf(fromHost) === Object.prototype,
        hostEcho(1) instanceof Promise,
        Object.getPrototypeOf(hostEcho) === Function.prototype,
        typeof globalThis.__dynflow,
      ];
    })()`);
    expect(result).toEqual({ ok: true, value: [true, true, true, true, true, "undefined"] });
  });

  it("exposes only standard JavaScript built-ins (and the prelude's globals) on the global object", async () => {
    const result = await runScript(`Object.getOwnPropertyNames(globalThis).filter((name) => {
      const d = Object.getOwnPropertyDescriptor(globalThis, name);
      return !d.get;
    })`);
    const standard = new Set([
      ...["Object", "Function", "Array", "Number", "Boolean", "String", "Symbol", "BigInt", "Math", "JSON", "Reflect", "Proxy", "Promise"],
      ...["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "InternalError", "AggregateError"],
      ...["Iterator", "Date", "RegExp", "Map", "Set", "WeakMap", "WeakSet", "ArrayBuffer", "SharedArrayBuffer", "DataView"],
      ...["Uint8ClampedArray", "Int8Array", "Uint8Array", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array"],
      ...["BigInt64Array", "BigUint64Array", "Float16Array", "Float32Array", "Float64Array"],
      ...["parseInt", "parseFloat", "isNaN", "isFinite", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent"],
      ...["escape", "unescape", "Infinity", "NaN", "undefined", "eval", "globalThis", "queueMicrotask"],
      ...["hostCall", "hostEcho", "hostNotify", "hostState", "hostCompile"],
      // The web-platform built-ins Claude Code's scripts use (URL, console, ...), plain guest code.
      ...BUILTIN_GLOBALS,
    ]);
    expect(result.ok).toBe(true);
    const names = result.ok ? (result.value as string[]) : [];
    expect(names.filter((name) => !standard.has(name))).toEqual([]);
    expect(names).toContain("Object");
  });
});

describe("sandbox guards: determinism", () => {
  it("refuses the clock and randomness with script_nondeterministic and what to do instead", async () => {
    const seen = await probeAll([
      "Date.now()",
      "new Date()",
      "Date()",
      "Math.random()",
      "new (class extends Date { constructor() { super(); } })()",
      "performance",
      "crypto",
      "WeakRef",
    ]);
    for (const [code] of seen) expect(code).toBe("script_nondeterministic");
    expect(seen[0]?.[1]).toBe(
      "Date.now() is not available in a dynflow script: it reads the clock or randomness, and a run must replay exactly; " +
        "pass a timestamp in through `args` and use new Date(timestamp)",
    );
    expect(seen[3]?.[1]).toContain("pass random values in through `args`");
  });

  it("reports an uncaught clock read at its line", async () => {
    const error = errorOf(await runScript(`const a = 1;\n\nconst started = new Date();`));
    expect(error).toMatchObject({ code: "script_nondeterministic", line: 3, file: "script.js" });
  });

  it("keeps dates built from a value working", async () => {
    const seen = await probeAll([
      'new Date(0).toISOString()',
      'new Date("2024-02-29T12:00:00Z").getTime()',
      "Date.UTC(2020, 0, 1)",
      'Date.parse("2020-01-01T00:00:00Z")',
      "new Date(5) instanceof Date",
      "new Date(5).constructor === Date",
      "Date.name + Date.length",
      "new (class D extends Date {})(7).getTime()",
    ]);
    expect(seen).toEqual([
      ["value", "1970-01-01T00:00:00.000Z"],
      ["value", "1709208000000"],
      ["value", "1577836800000"],
      ["value", "1577836800000"],
      ["value", "true"],
      ["value", "true"],
      ["value", "Date7"],
      ["value", "7"],
    ]);
  });

  it("runs queueMicrotask callbacks as microtasks", async () => {
    const result = await runScript(`(async () => {
      const order = [];
      queueMicrotask(() => order.push("micro"));
      order.push("sync");
      await null;
      await null;
      return order;
    })()`);
    expect(result).toEqual({ ok: true, value: ["sync", "micro"] });
  });
});
