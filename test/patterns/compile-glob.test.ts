import { describe, expect, it } from "vitest";
import { compileGlob, PatternError } from "../../src/patterns/index.js";

const cases: [glob: string, path: string, matches: boolean][] = [
  ["a/**", "a", true],
  ["a/**", "a/b/c", true],
  ["**/x", "x", true],
  ["**/x", "a/b/x", true],
  ["a/**/b", "a/b", true],
  ["a/**/b", "a/x/y/b", true],
  ["**", "a/b", true],
  ["**/*", "a", true],
  ["*.ts", "a.ts", true],
  ["*.ts", "a/b.ts", false],
  ["a**b", "axxb", true],
  ["a**b", "ax/xb", false],
  ["a/*", "a/.x", true],
  ["{a,b}/*", "b/x", true],
  ["*.{ts,js}", "q.js", true],
  ["{src,lib}/**/*.{ts,tsx}", "lib/b/c.ts", true],
  ["x/{1..3}", "x/2", true],
  ["x/{1..3}", "x/5", false],
  ["[^a]x", "bx", true],
  ["[!a]x", "ax", false],
  ["[!a]x", "bx", true],
  ["a[0-9]", "a5", true],
  ["[[:alpha:]]x", "ax", true],
  ["a?c", "abc", true],
  ["a?c", "a/c", false],
  ["?(a|b)c", "c", true],
  ["+(a|b)c", "abac", true],
  ["*(a|b)c", "c", true],
  ["@(a|b)c", "bc", true],
  ["@(a|b)c", "abc", false],
  ["(a|b)", "a", true],
  ["a|b", "a|b", true],
  ["a\\*b", "a*b", true],
  ["a\\*b", "axb", false],
  ["a+b", "a+b", true],
  ["$x", "$x", true],
  ["!a", "b", true],
  ["!a", "a", false],
  [".github/workflows/**", ".github/workflows/ci.yml", true],
  ["**/.env", ".env", true],
];

describe("compileGlob", () => {
  it.each(cases)("%s against %s is %s", (glob, path, matches) => {
    expect(compileGlob(glob)(path)).toBe(matches);
  });

  it("matches base names anywhere for a glob without a slash when asked", () => {
    expect(compileGlob("*.ts", { basename: true })("src/deep/a.ts")).toBe(true);
    expect(compileGlob("src/*.ts", { basename: true })("lib/src/a.ts")).toBe(false);
  });

  it("refuses what has no linear-time form, naming the fix", () => {
    expect(() => compileGlob("!(a)")).toThrow(PatternError);
    expect(() => compileGlob("src/!(a).ts")).toThrow(/list what to match instead/);
    expect(() => compileGlob("{a,b")).toThrow(/not closed with "}"/);
    expect(() => compileGlob("@(a|b")).toThrow(/not closed with "\)"/);
    expect(() => compileGlob("[[:nope:]]")).toThrow(/unknown character class/);
    expect(() => compileGlob("x/{1..5000}")).toThrow(/more than 1000 values/);
  });
});
