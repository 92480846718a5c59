/**
 * What every refuter agent must answer. A refuter only says `refuted` or
 * `upheld`; `unverified` is what the run records when a refuter could not
 * answer at all.
 */
import type { JsonSchema } from "../runtime/types.js";

export const VERDICT_SCHEMA: JsonSchema = Object.freeze({
  type: "object",
  required: ["verdict", "evidence"],
  additionalProperties: false,
  properties: {
    verdict: {
      enum: ["refuted", "upheld"],
      description: "refuted: you found a concrete problem; upheld: you tried and could not refute the claim",
    },
    evidence: {
      type: "string",
      minLength: 1,
      description: "What you found (refuted) or checked (upheld), with file:line references",
    },
    failingCommand: {
      type: "object",
      description: "When a command you ran with run_command shows the problem: the command, its exit code and the end of its output",
      required: ["command", "exitCode", "output"],
      additionalProperties: false,
      properties: {
        command: { type: "string", minLength: 1 },
        exitCode: { type: "integer" },
        output: { type: "string", description: "The lines of its output that show the failure" },
      },
    },
  },
}) as JsonSchema;
