/**
 * A refuter may cite a failing command; its verdict's evidence then carries
 * the command, the exit code and the output's end, for the report and the
 * next round's worker.
 */
import { describe, expect, it } from "vitest";
import { commandEvidence } from "../../src/review/review-operations.js";
import { compileSchema } from "../../src/runtime/schema/compile-schema.js";
import { VERDICT_SCHEMA } from "../../src/review/verdict-schema.js";

describe("a failing command cited by a refuter", () => {
  it("is accepted by the verdict schema, and only in its shape", () => {
    const schema = compileSchema(VERDICT_SCHEMA);
    const cited = { verdict: "refuted", evidence: "the tests fail", failingCommand: { command: "npm test", exitCode: 1, output: "FAIL src/a.test.ts" } };
    expect(schema.validate(cited).ok).toBe(true);
    expect(schema.validate({ ...cited, failingCommand: { command: "npm test" } }).ok).toBe(false);
  });

  it("is added to the evidence with its command, exit code and output", () => {
    const text = commandEvidence({ command: "npm test", exitCode: 1, output: "FAIL src/a.test.ts\n  expected 5, got -1\n" });
    expect(text).toContain("Failing command: `npm test` exited with code 1:");
    expect(text).toContain("```\nFAIL src/a.test.ts\n  expected 5, got -1\n```");
    expect(commandEvidence(undefined)).toBe("");
  });
});
