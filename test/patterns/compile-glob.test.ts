import { describe, expect, it } from "vitest";
import { RE2JS } from "re2js";
import { compileGlob, PatternError } from "../../src/patterns/index.js";
import { globToRegexSource } from "../../src/patterns/compile-glob.js";

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

describe("globs of literal text, * and one ** (matched without RE2)", () => {
  // A small seeded generator: the same globs and paths on every run.
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
  }
  const next = random(16);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const globPart = () => pick(["a", "b", "ab", ".x", "*", "**", "*a", "a*", "a*b", "*a*", "a*a*a", "*b*b", "**b", "", "!", "+", "@"]);
  const pathPart = () => pick(["a", "b", "ab", "ba", "aab", ".x", "", "abab", "x.a", "!", "+"]);
  const glob = () => Array.from({ length: 1 + Math.floor(next() * 4) }, globPart).join("/");
  const path = () => Array.from({ length: 1 + Math.floor(next() * 5) }, pathPart).join("/");

  it("answer as the RE2 form of the same glob does, with and without basename and a leading !", () => {
    const disagreements: string[] = [];
    for (let g = 0; g < 600; g++) {
      const text = (next() < 0.15 ? "!" : "") + glob();
      const paths = Array.from({ length: 40 }, path);
      for (const basename of [false, true]) {
        const fast = compileGlob(text, { basename });
        const { source, negated } = globToRegexSource(text, { basename });
        const re2 = RE2JS.compile(source, RE2JS.DOTALL);
        for (const candidate of paths) {
          if (fast(candidate) !== (re2.testExact(candidate) !== negated)) disagreements.push(`${text} ${basename ? "(basename) " : ""}on "${candidate}"`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each([
    ["lib/**", ["lib", "lib/", "lib/a/b.js"], ["li", "libx", "a/lib/x"]],
    ["**/*.test.ts", ["a.test.ts", "x/y/a.test.ts", ".test.ts"], ["a.test.tsx", "a/test.ts"]],
    ["src/**/index.*", ["src/index.ts", "src/a/b/index.js"], ["index.ts", "src/a/index"]],
    ["a*b*c", ["abc", "aXbYc", "abbc"], ["ab", "a/bc", "acb"]],
    ["a*b*b", ["abb", "axbyb"], ["ab", "abxb/b"]],
  ])("%s", (text, matching, others) => {
    const match = compileGlob(text);
    expect(matching.filter((p) => !match(p))).toEqual([]);
    expect(others.filter((p) => match(p))).toEqual([]);
  });
});
