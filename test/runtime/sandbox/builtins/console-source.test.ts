/**
 * console in the sandbox: what a script prints goes to the run's log, with
 * warnings and errors as warnings, formatted the way Node formats it.
 */
import { describe, expect, it } from "vitest";
import { runGuest } from "./run-guest.js";

describe("console in the sandbox", () => {
  it("logs into the run's log, errors and warnings as warnings", async () => {
    const outcome = await runGuest(`const loop = { name: "loop" }; loop.self = loop;
console.log("found %d files in %s", 3, "src", { deep: { er: [1, "two"] } });
console.info(loop);
console.warn("careful:", new Error("disk full").message);
console.error("failed", 42);
console.assert(1 === 2, "math broke");
console.count(); console.count();
console.group("section"); console.log("inside"); console.groupEnd(); console.log("outside");
console.table([{ a: 1 }]);
return typeof console.log;`);
    expect(outcome.error).toBeNull();
    const logs = outcome.events.flatMap((e) => (e.type === "log" ? [`${e.level} ${e.message}`] : []));
    expect(logs).toEqual([
      `info found 3 files in src { deep: { er: [ 1, "two" ] } }`,
      `info { name: "loop", self: [Circular] }`,
      "warn careful: disk full",
      "warn failed 42",
      "warn Assertion failed: math broke",
      "info default: 1",
      "info default: 2",
      "info section",
      "info   inside",
      "info outside",
      "info [ { a: 1 } ]",
    ]);
  });

  it("stays inside the script's limits: a loop of built-in calls is stopped by the CPU limit", async () => {
    const outcome = await runGuest(`for (;;) new URL("https://example.com/" + structuredClone({ a: [1, 2, 3] }).a.join("/")).searchParams.toString();`, {
      sandbox: { cpuMs: 300 },
    });
    expect(outcome.error?.code).toBe("script_timeout");
  });
});
