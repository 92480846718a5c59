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
  },
}) as JsonSchema;
