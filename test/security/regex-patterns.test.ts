/**
 * Attack class: a regular expression from a script or a model that
 * backtracks exponentially (`^(a+)+$` against `aaa…a!`). Before, such a
 * pattern ran on V8's engine on the main thread, in the schema checks of the
 * estimate, in ajv's validation of model output and in the `search` tool,
 * stalling every other repository the process serves. Each test asserts the
 * hostile pattern never runs on a backtracking engine here, and that the
 * answer is still right.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileSchema } from "../../src/runtime/schema/compile-schema.js";
import { findSchemaContradiction } from "../../src/runtime/schema/find-schema-contradiction.js";
import { InvalidSchemaError } from "../../src/runtime/schema/schema-errors.js";
import { InvalidSearchPatternError } from "../../src/workspace/errors.js";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { makeRepo, removeDir, testGitEnv, type FixtureRepo } from "../workspace/git-fixture.js";
import { spyOnBacktracking, type BacktrackingSpy } from "./backtracking-spy.js";

const EVIL = "^(a+)+$";
const MARKER = "(a+)+";
/** Enough to take V8 a noticeable moment; each extra `a` doubles it. */
const HOSTILE = `${"a".repeat(22)}!`;

let spy: BacktrackingSpy;
beforeEach(() => {
  spy = spyOnBacktracking();
});
afterEach(() => spy.restore());

describe("JSON Schema patterns a script writes", () => {
  it("proves an enum value fails its pattern without backtracking", () => {
    const reason = findSchemaContradiction({ type: "string", pattern: EVIL, enum: [HOSTILE] });
    expect(reason).toMatch(/does not match pattern/);
    expect(spy.runs(MARKER)).toBe(0);
  });

  it("checks required names against patternProperties without backtracking", () => {
    const reason = findSchemaContradiction({
      type: "object",
      required: [HOSTILE],
      patternProperties: { [EVIL]: { type: "string" } },
      additionalProperties: false,
    });
    expect(reason).toMatch(/additionalProperties: false rules it out/);
    expect(spy.runs(MARKER)).toBe(0);
  });

  it("validates model output against pattern and patternProperties without backtracking", () => {
    const text = compileSchema({ type: "string", pattern: EVIL });
    expect(text.validate(HOSTILE)).toMatchObject({ ok: false });
    expect(text.validate("aaa")).toEqual({ ok: true });
    const keys = compileSchema({ type: "object", patternProperties: { [EVIL]: { type: "number" } } });
    expect(keys.validate({ [HOSTILE]: "x", aaaa: "not a number" })).toMatchObject({ ok: false, error: expect.stringContaining("/aaaa must be number") });
    expect(spy.runs(MARKER)).toBe(0);
  });

  it("refuses lookaround and backreferences in a schema with a clear error", () => {
    for (const pattern of ["^(?=a)", "(a)\\1", "(?<!x)y"]) {
      let error: unknown;
      try {
        compileSchema({ type: "string", pattern });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidSchemaError);
      expect((error as InvalidSchemaError).problem).toMatch(/cannot run in linear time/);
    }
  });
});

describe("the search tool's pattern", () => {
  let repo: FixtureRepo;
  let repository: GitRepository;
  beforeAll(async () => {
    const lines = `${HOSTILE}\n`.repeat(20);
    repo = await makeRepo({ "base.txt": lines, "ok.txt": "aaaa\n" });
    repository = await openRepository(repo.dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository.close();
    await removeDir(repo.dir);
  });

  it("searches the agent's own edits and the base without backtracking", async () => {
    const ws = await repository.fork({ runId: "r1", slug: "evil-search", baseCommit: "main" });
    await ws.write("edited.txt", `${HOSTILE}\naaaaa\n`);
    const matches = await ws.search(EVIL);
    expect(matches.map((m) => `${m.path}:${m.line}`)).toEqual(["edited.txt:2", "ok.txt:1"]);
    const caseless = await ws.search(new RegExp(EVIL, "i"));
    expect(caseless.map((m) => m.path)).toEqual(["edited.txt", "ok.txt"]);
    expect(spy.runs(MARKER)).toBe(0);
  });

  it("refuses a pattern the linear-time engine cannot run, as a tool error", async () => {
    const ws = await repository.fork({ runId: "r1", slug: "lookahead", baseCommit: "main" });
    await expect(ws.search("a(?=!)")).rejects.toBeInstanceOf(InvalidSearchPatternError);
    await expect(ws.search("a(?=!)")).rejects.toThrow(/lookahead cannot run in linear time/);
  });
});
