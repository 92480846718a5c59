import { describe, expect, it } from "vitest";
import { compileLinearRegex, MAX_REGEX_LENGTH, PatternError } from "../../src/patterns/index.js";

describe("compileLinearRegex", () => {
  it("keeps JavaScript's meaning for everyday patterns", () => {
    expect(compileLinearRegex("^export function").test("export function x()")).toBe(true);
    expect(compileLinearRegex("fetchJson\\(").test("a = fetchJson('/x')")).toBe(true);
    expect(compileLinearRegex("(?<name>\\w+)-\\d{2,3}").test("abc-12")).toBe(true);
    expect(compileLinearRegex("\\u0041\\u{1F600}", "u").test("A😀")).toBe(true);
    expect(compileLinearRegex("\\p{Lu}", "u").test("É")).toBe(true);
    expect(compileLinearRegex("abc", "i").test("ABC")).toBe(true);
    expect(compileLinearRegex("^b", "m").test("a\nb")).toBe(true);
    expect(compileLinearRegex("^b").test("a\nb")).toBe(false);
    expect(compileLinearRegex("a.b", "s").test("a\nb")).toBe(true);
  });

  it("matches catastrophic patterns in linear time", () => {
    expect(compileLinearRegex("^(a+)+$").test(`${"a".repeat(100_000)}!`)).toBe(false);
    expect(compileLinearRegex("(x+x+)+y").test("x".repeat(100_000))).toBe(false);
  });

  it("refuses lookaround, backreferences, bad syntax and oversized patterns with typed errors", () => {
    const refused = (pattern: string) => {
      try {
        compileLinearRegex(pattern);
      } catch (error) {
        expect(error).toBeInstanceOf(PatternError);
        return (error as PatternError).code;
      }
      throw new Error(`${pattern} was accepted`);
    };
    expect(refused("a(?=b)")).toBe("pattern_unsupported");
    expect(refused("(?<!a)b")).toBe("pattern_unsupported");
    expect(refused("(a)\\1")).toBe("pattern_unsupported");
    expect(refused("(?<n>a)\\k<n>")).toBe("pattern_unsupported");
    expect(refused("(a{1000}){1000}")).toBe("pattern_unsupported");
    expect(refused("(")).toBe("pattern_invalid");
    expect(refused("(?P<n>a)")).toBe("pattern_invalid");
    expect(refused("x".repeat(MAX_REGEX_LENGTH + 1))).toBe("pattern_too_long");
    // Escaped and bracketed look-alikes are plain text.
    expect(compileLinearRegex("\\(?=x").test("(=x")).toBe(true);
  });

  it("compiles a pattern once per flags while it is in use, and never keeps a refusal", () => {
    const first = compileLinearRegex("getSourceCode\\(\\)", "i");
    expect(compileLinearRegex("getSourceCode\\(\\)", "i")).toBe(first);
    expect(compileLinearRegex("getSourceCode\\(\\)", "")).not.toBe(first);
    expect(compileLinearRegex("getSourceCode\\(\\)", "").test("GETSOURCECODE()")).toBe(false);
    expect(first.test("GETSOURCECODE()")).toBe(true);
    expect(() => compileLinearRegex("a(?=b)")).toThrow(PatternError);
    expect(() => compileLinearRegex("a(?=b)")).toThrow(PatternError);
    // Many other patterns later, the first is compiled anew: the cache is bounded.
    for (let i = 0; i < 200; i++) compileLinearRegex(`other${i}`);
    expect(compileLinearRegex("getSourceCode\\(\\)", "i")).not.toBe(first);
  });
});
