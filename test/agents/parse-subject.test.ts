import { describe, expect, it } from "vitest";
import { InvalidAgentSubjectError } from "../../src/agents/errors.js";
import { parseRefuterSubject, parseResolverSubject } from "../../src/agents/parse-subject.js";

describe("parseRefuterSubject", () => {
  it("reads a change and its claim, filling totals from the files", () => {
    const subject = parseRefuterSubject({
      claim: "migrated",
      change: { id: "c1", commit: "abc", base: "def", branch: "b", files: [{ path: "a.ts", status: "added", additions: 3, deletions: 0 }] },
    });
    expect(subject).toEqual({
      claim: "migrated",
      change: { branch: "b", commit: "abc", base: "def", files: [{ path: "a.ts", status: "added", additions: 3, deletions: 0 }], additions: 3, deletions: 0, incomplete: false },
    });
  });

  it("reads a claim without a change", () => {
    expect(parseRefuterSubject({ claim: "x", change: null })).toEqual({ claim: "x", change: null });
    expect(parseRefuterSubject({ claim: "x" })).toEqual({ claim: "x", change: null });
  });

  it("names what is wrong with a bad subject", () => {
    expect(() => parseRefuterSubject(undefined)).toThrow(InvalidAgentSubjectError);
    expect(() => parseRefuterSubject({ change: null })).toThrow(/subject\.claim must be a string/);
    expect(() => parseRefuterSubject({ claim: "x", change: { commit: "a" } })).toThrow(/commit and base/);
  });
});

describe("parseResolverSubject", () => {
  it("reads the conflicted files, absent sides as null", () => {
    const subject = parseResolverSubject({ label: "l", files: [{ path: "a", base: null, ours: "o", theirs: "t" }], types: ["CONFLICT (add/add)"] });
    expect(subject).toEqual({ label: "l", files: [{ path: "a", base: null, ours: "o", theirs: "t", marked: null }], types: ["CONFLICT (add/add)"] });
  });

  it("refuses a subject without files or with non-text versions", () => {
    expect(() => parseResolverSubject({ label: "l", files: [] })).toThrow(/at least one/);
    expect(() => parseResolverSubject({ label: "l", files: [{ path: "a", ours: 1 }] })).toThrow(/files\[0\]\.ours/);
  });
});
