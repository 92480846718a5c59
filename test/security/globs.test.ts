/**
 * Attack class: a glob from a script or a model that makes a backtracking
 * matcher take exponential time per path (the extglob `**\/+(a*)+(a*)+(a*)b`
 * ran a minute per path; plain stars such as `*a*a*a*a*a*a*a*a*b` seconds).
 * Globs reach `list_files`, `search`, `repo.files()` and write scopes. Each
 * test asserts no glob runs on V8's backtracking engine and the answer is
 * still right; what has no linear-time form is a clear tool error.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PatternError } from "../../src/patterns/index.js";
import { createWritePolicy } from "../../src/workspace/check-path.js";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { makeRepo, removeDir, testGitEnv, type FixtureRepo } from "../workspace/git-fixture.js";
import { spyOnBacktracking, type BacktrackingSpy } from "./backtracking-spy.js";

const EXTGLOB = "**/+(a*)+(a*)+(a*)b";
const STARS = "*a*a*a*a*a*a*a*a*a*b";
/** A path no hostile glob matches, long enough to take a backtracking matcher a noticeable moment. */
const LONG_NAME = "a".repeat(16);
/** picomatch writes `*` as `[^/]*?`; no such expression may run here. */
const STAR_MARKER = "[^/]";

let repo: FixtureRepo;
let repository: GitRepository;
let spy: BacktrackingSpy;

beforeAll(async () => {
  repo = await makeRepo({ [`src/${LONG_NAME}`]: "aaaa\n", "src/aaab": "aaaa\n", "README.md": "aaaa\n" });
  repository = await openRepository(repo.dir, { env: testGitEnv() });
});
afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
});
beforeEach(() => {
  spy = spyOnBacktracking();
});
afterEach(() => spy.restore());

describe("globs from scripts and models", () => {
  it("lists files (list_files, repo.files()) in linear time", async () => {
    const ws = await repository.fork({ runId: "r1", slug: "globs-list", baseCommit: "main" });
    await ws.write(`docs/${LONG_NAME}`, "x\n");
    expect(await ws.list(EXTGLOB)).toEqual(["src/aaab"]);
    expect(await ws.list(STARS)).toEqual([]);
    expect(spy.runs(STAR_MARKER)).toBe(0);
  });

  it("filters search results by glob in linear time", async () => {
    const ws = await repository.fork({ runId: "r1", slug: "globs-search", baseCommit: "main" });
    expect((await ws.search("aaaa", { glob: EXTGLOB })).map((m) => m.path)).toEqual(["src/aaab"]);
    expect(spy.runs(STAR_MARKER)).toBe(0);
  });

  it("checks write scopes and protected paths in linear time", () => {
    const check = createWritePolicy({ writeScopes: [EXTGLOB, STARS], protectedPaths: [STARS] });
    expect(() => check(`src/${LONG_NAME}`)).toThrow(/outside this agent's write scope/);
    expect(() => check("src/aaab")).not.toThrow();
    expect(spy.runs(STAR_MARKER)).toBe(0);
  });

  it("refuses a glob with no linear-time form, or an oversized one, with a clear error", async () => {
    const ws = await repository.fork({ runId: "r1", slug: "globs-refused", baseCommit: "main" });
    await expect(ws.list("src/!(a*)")).rejects.toBeInstanceOf(PatternError);
    await expect(ws.list("src/!(a*)")).rejects.toThrow(/!\( \) extglob .* cannot be matched in linear time/);
    await expect(ws.list(`${"{a,".repeat(40)}b${"}".repeat(40)}`)).rejects.toThrow(/nest more than 32 deep/);
    await expect(ws.list("*".repeat(2000))).rejects.toMatchObject({ code: "pattern_too_long" });
  });
});
