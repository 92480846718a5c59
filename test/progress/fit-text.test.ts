import { describe, expect, it } from "vitest";
import { fitBytes, fitLength } from "../../src/progress/fit-text.js";

describe("fitLength", () => {
  it("returns text that fits unchanged", () => {
    expect(fitLength("abc", 3)).toBe("abc");
  });

  it("cuts to the limit in UTF-16 code units, suffix included, without splitting a surrogate pair", () => {
    expect(fitLength("abcdef", 4)).toBe("abc…");
    const cut = fitLength("a🙂🙂🙂", 5, "…");
    expect(cut).toBe("a🙂…");
    expect(cut.length).toBeLessThanOrEqual(5);
  });
});

describe("fitBytes", () => {
  it("cuts to the limit in UTF-8 bytes, suffix included", () => {
    const text = "€".repeat(100); // 3 bytes each
    const cut = fitBytes(text, 31, "…"); // "…" is 3 bytes: room for 9 euros
    expect(cut).toBe(`${"€".repeat(9)}…`);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(31);
  });

  it("never leaves half a character", () => {
    const cut = fitBytes("🙂".repeat(10), 10, "");
    expect(cut).toBe("🙂🙂");
    expect(cut).not.toMatch(/[\ud800-\udbff]$/);
  });

  it("returns text that fits unchanged", () => {
    expect(fitBytes("ü", 2)).toBe("ü");
  });
});

describe("cutting between user-perceived characters", () => {
  it("keeps an emoji with its modifier and a letter with its combining accent whole", () => {
    expect(fitLength("a👍🏽b", 4)).toBe("a…");
    expect(fitLength("ae\u0301e\u0301", 3)).toBe("a…");
    expect(fitBytes("x👍🏽", 8, "")).toBe("x");
  });

  it("truncate counts graphemes", async () => {
    const { truncate } = await import("../../src/progress/fit-text.js");
    expect(truncate("👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧", 2)).toBe("👨‍👩‍👧…");
  });
});
