/**
 * How the built-ins are installed: each loads the first time a script
 * touches it, then is an ordinary global a script may replace.
 */
import { describe, expect, it } from "vitest";
import { runGuest } from "./run-guest.js";

describe("built-in globals", () => {
  it("load when first touched, survive a script replacing eval, and can be replaced like any global", async () => {
    const outcome = await runGuest(`const before = typeof Object.getOwnPropertyDescriptor(globalThis, "URL").get;
globalThis.eval = () => { throw new Error("the script's own eval") };
const host = new URL("https://example.com/x").host;
const after = "value" in Object.getOwnPropertyDescriptor(globalThis, "URL");
TextEncoder = function Mine() {};
const replaced = TextEncoder.name;
const line = (12345.678).toLocaleString();
return { before, host, after, replaced, line, types: [typeof structuredClone, typeof console.log, typeof Intl.NumberFormat, typeof atob] };`);
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual({ before: "function", host: "example.com", after: true, replaced: "Mine", line: "12,345.678", types: ["function", "function", "function", "function"] });
  });

  it("fetch a module's source through a function only the installer holds: a script cannot reach it", async () => {
    const outcome = await runGuest(`const reached = [typeof source, typeof globalThis.source, Object.getOwnPropertyNames(globalThis).filter((name) => name === "source" || name === "sources")];
const params = new URLSearchParams("a=1&b=2").get("b");
return { reached, params, still: typeof source };`);
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual({ reached: ["undefined", "undefined", []], params: "2", still: "undefined" });
  });
});
