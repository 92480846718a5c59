/**
 * structuredClone in the sandbox: a deep copy that keeps shared and circular
 * references and built-in types, and refuses what cannot be cloned.
 */
import { describe, expect, it } from "vitest";
import { runGuest } from "./run-guest.js";

describe("structuredClone in the sandbox", () => {
  it("copies deeply, keeps identity between copies, and refuses functions", async () => {
    const outcome = await runGuest(`const shared = { n: 1 };
const source = { a: shared, b: shared, list: [1, [2, { c: 3 }]], date: new Date(86400000), re: /x+/gi,
  map: new Map([["k", shared]]), set: new Set([shared]), bytes: new Uint8Array([1, 2, 3]), err: new RangeError("bad"), big: 10n };
source.self = source;
const copy = structuredClone(source);
copy.a.n = 2;
const refused = [];
for (const value of [() => 1, Symbol("s"), { f() {} }, Promise.resolve()]) {
  try { structuredClone(value); refused.push("cloned"); } catch (e) { refused.push(e.name); }
}
return {
  independent: shared.n === 1 && copy !== source && copy.list[1][1] !== source.list[1][1],
  sharedKept: copy.a === copy.b && copy.map.get("k") === copy.a && [...copy.set][0] === copy.a,
  cycleKept: copy.self === copy,
  types: [copy.date instanceof Date && copy.date.getTime(), copy.re instanceof RegExp && copy.re.flags, copy.bytes instanceof Uint8Array && Array.from(copy.bytes), copy.err instanceof RangeError && copy.err.message, typeof copy.big],
  nested: copy.list[1][1].c,
  refused,
};`);
    expect(outcome.error).toBeNull();
    expect(outcome.result).toEqual({
      independent: true,
      sharedKept: true,
      cycleKept: true,
      types: [86400000, "gi", [1, 2, 3], "bad", "bigint"],
      nested: 3,
      refused: ["DataCloneError", "DataCloneError", "DataCloneError", "DataCloneError"],
    });
  });
});
