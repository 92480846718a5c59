/**
 * The part of an agent's first message that says how to hand in the result,
 * and the feedback of an earlier attempt whose result was rejected.
 */
import type { JsonSchema } from "../../runtime/types.js";
import { embeddableSchema } from "../tools/create-finish-tool.js";
import { fence } from "./task-context.js";

/** How to call `finish` for this agent's result schema. */
export function resultInstructions(schema: JsonSchema | undefined): string {
  if (schema === undefined) return "When you are done, call finish with your summary and your result as text.";
  if (embeddableSchema(schema) !== null) {
    return "When you are done, call finish with your summary and the result object (its JSON Schema is in the finish tool).";
  }
  return `When you are done, call finish with your summary and a result matching this JSON Schema:\n${fence(JSON.stringify(schema, null, 2), "json")}`;
}

/** The previous attempt's rejection, for a retried agent. */
export function feedbackNote(feedback: string | undefined): string {
  if (feedback === undefined || feedback.trim() === "") return "";
  return `\n\n## Your previous attempt was rejected\n\nIts result did not match the schema: ${feedback.trim()}\nMake sure the result you hand in this time matches it.`;
}
