import { describe, expect, it } from "vitest";
import { callContentHash, journalKey, OccurrenceCounter } from "../../../src/runtime/journal/journal-key.js";
import type { AgentOptions } from "../../../src/runtime/types.js";

const BASE = "0123456789abcdef0123456789abcdef01234567";
const SCHEMA = { type: "object", required: ["files"], properties: { files: { type: "array", items: { type: "string" } } } };

function key(prompt: string, options: AgentOptions, baseRevision = BASE, occurrence = 1): string {
  return journalKey({ prompt, options, baseRevision, occurrence });
}

describe("journalKey", () => {
  it("is a sha256 hex digest that is stable across calls", () => {
    const k = key("Audit src/a.ts", { schema: SCHEMA, model: "m" });
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(key("Audit src/a.ts", { schema: SCHEMA, model: "m" })).toBe(k);
  });

  it("ignores the order options and schema keys were written in", () => {
    const a = key("p", { model: "m", schema: { type: "object", properties: { x: { type: "string" } } }, write: ["src/**"] });
    const b = key("p", { write: ["src/**"], schema: { properties: { x: { type: "string" } }, type: "object" }, model: "m" });
    expect(a).toBe(b);
  });

  it("ignores display-only fields", () => {
    const plain = key("p", { model: "m" });
    expect(key("p", { model: "m", label: "first label" })).toBe(plain);
    expect(key("p", { model: "m", label: "renamed", phase: "Review" })).toBe(plain);
  });

  it("treats an explicit default role like an omitted one", () => {
    expect(key("p", { role: "worker" })).toBe(key("p", {}));
    expect(key("p", { role: "refuter" })).not.toBe(key("p", {}));
  });

  it("ignores options that are present but undefined", () => {
    expect(key("p", { model: undefined, schema: undefined })).toBe(key("p", {}));
  });

  it("changes with everything that changes what the agent does", () => {
    const base = key("p", {});
    const variants: AgentOptions[] = [
      { schema: SCHEMA },
      { model: "other-model" },
      { role: "resolver" },
      { write: ["src/**"] },
      { write: [] },
      { maxTurns: 5 },
      { subject: { branch: "dynflow/r1/a" } },
      { effort: "high" },
      { agentType: "reviewer" },
      { isolation: "worktree" },
    ];
    const keys = variants.map((options) => key("p", options));
    for (const k of keys) expect(k).not.toBe(base);
    expect(new Set(keys).size).toBe(variants.length);
    expect(key("p", { schema: SCHEMA })).not.toBe(key("p", { schema: { ...SCHEMA, required: [] } }));
  });

  it("changes with the prompt, the base revision and the occurrence", () => {
    const k = key("p", {});
    expect(key("q", {})).not.toBe(k);
    expect(key("p", {}, "fedcba9876543210fedcba9876543210fedcba98")).not.toBe(k);
    expect(key("p", {}, BASE, 2)).not.toBe(k);
  });
});

describe("callContentHash", () => {
  it("depends on prompt and options only, like the key", () => {
    const h = callContentHash("p", { model: "m", label: "x" });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(callContentHash("p", { model: "m", label: "y" })).toBe(h);
    expect(callContentHash("p", { model: "n" })).not.toBe(h);
    expect(callContentHash("p2", { model: "m" })).not.toBe(h);
  });

  it("differs from the journal key of the same call", () => {
    expect(callContentHash("p", {})).not.toBe(key("p", {}));
  });
});

describe("OccurrenceCounter", () => {
  it("numbers identical calls from 1, each content hash separately", () => {
    const counter = new OccurrenceCounter();
    const a = callContentHash("review", { role: "refuter" });
    const b = callContentHash("fix", {});
    expect([counter.next(a), counter.next(a), counter.next(b), counter.next(a), counter.next(b)]).toEqual([1, 2, 1, 3, 2]);
  });

  it("gives a replay the same keys whatever order the calls arrive in", () => {
    const calls = ["a", "b", "a", "c", "b", "a"].map((prompt) => ({ prompt, options: { label: prompt } as AgentOptions }));
    const keysOf = (order: number[]) => {
      const counter = new OccurrenceCounter();
      const keys = new Set<string>();
      for (const i of order) {
        const call = calls[i]!;
        const occurrence = counter.next(callContentHash(call.prompt, call.options));
        keys.add(journalKey({ ...call, baseRevision: BASE, occurrence }));
      }
      return keys;
    };
    const firstRun = keysOf([0, 1, 2, 3, 4, 5]);
    expect(firstRun.size).toBe(6);
    expect(keysOf([3, 5, 1, 0, 4, 2])).toEqual(firstRun);
  });
});

describe("journal keys across the switch to RFC 8785 canonical JSON", () => {
  const base = "0123456789abcdef0123456789abcdef01234567";
  const keyOf = (prompt: string, options: Record<string, unknown>) => journalKey({ prompt, options: options as never, baseRevision: base, occurrence: 1 });

  it("are unchanged for calls without integer-like object keys, so journals written before replay", () => {
    // Computed by the earlier canonical JSON (sorted keys, then JSON.stringify).
    expect(
      keyOf("Migrate src/billing — ünïcødé ✓ 😀", {
        label: "b",
        schema: { type: "object", properties: { z: { type: "string" }, a: { type: "number", minimum: 0.1 } } },
        write: ["src/**"],
      }),
    ).toBe("bba1d716295eb9d88ec950f52c8587742577fe5777ce1e132b38c6ad7b79bcdf");
    expect(keyOf("numbers", { meta: { big: 1e21, small: 1e-7, frac: 0.30000000000000004, neg: -0, int: 42 } })).toBe(
      "f779f8c4c46296d5fed8b8cf79124d2d98e6f98ed100cf33162676f67b1b944f",
    );
  });

  it("change where an object has integer-like keys (RFC 8785 sorts them as strings)", () => {
    const options = { meta: { é: 1, e: 2, "😀": 3, "\uffff": 4, Z: 5, a: 6, 10: 7, 9: 8 } };
    expect(keyOf("keys", options)).not.toBe("5202ba5c894e70a459718aa8b1f6d39db50fcc5bbe97106342e5caa58be905ba");
  });
});
