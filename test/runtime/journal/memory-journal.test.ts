import { describe, expect, it } from "vitest";
import { MemoryJournal } from "../../../src/runtime/journal/memory-journal.js";
import type { JournalEntry } from "../../../src/runtime/types.js";

function entry(key: string, output: JournalEntry["output"]): JournalEntry {
  return { key, label: `agent ${key}`, output, change: null, usage: { input: 10, output: 5, cacheWrite: 0, cacheRead: 2 }, costUsd: 0.01, meta: { turns: 3 } };
}

describe("MemoryJournal", () => {
  it("returns what was put under its key and nothing for unknown keys", async () => {
    const journal = new MemoryJournal();
    await journal.put(entry("k1", { files: ["a.ts"] }));
    expect(await journal.get("k1")).toEqual(entry("k1", { files: ["a.ts"] }));
    expect(await journal.get("k2")).toBeUndefined();
  });

  it("lists entries in the order they were first journaled, keeping the first entry of a key", async () => {
    const journal = new MemoryJournal();
    await journal.put(entry("b", 1));
    await journal.put(entry("a", 2));
    await journal.put(entry("b", 3));
    expect(journal.entries().map((e) => [e.key, e.output])).toEqual([
      ["b", 1],
      ["a", 2],
    ]);
    expect(journal.size).toBe(2);
  });

  it("is not changed by callers mutating what they put or got", async () => {
    const journal = new MemoryJournal();
    const original = entry("k", { files: ["a.ts"] });
    await journal.put(original);
    (original.output as { files: string[] }).files.push("mutated.ts");
    const got = await journal.get("k");
    (got!.output as { files: string[] }).files.push("also-mutated.ts");
    journal.entries()[0]!.usage.input = 999;
    expect(await journal.get("k")).toEqual(entry("k", { files: ["a.ts"] }));
  });

  it("can start from existing entries", async () => {
    const journal = new MemoryJournal([entry("x", "done")]);
    expect((await journal.get("x"))?.output).toBe("done");
  });
});
