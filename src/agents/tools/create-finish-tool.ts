/**
 * `finish`: how every agent ends. It takes a summary and the result; with a
 * result schema the result is validated inside the conversation, so a model
 * that got it wrong reads the validation error and repairs it at once instead
 * of the whole agent being retried.
 */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import type { AgentRequest, JsonSchema, JsonValue } from "../../runtime/types.js";
import { ToolInputError } from "../errors.js";
import { readInput } from "./read-input.js";
import type { AgentTool, ToolOutcome } from "./types.js";

export interface FinishToolOptions {
  /** The caller's result schema; omitted: the result is text. */
  schema?: JsonSchema;
  validate: AgentRequest["validate"];
  /** What the summary should tell, for the tool description (role-specific, agent-independent). */
  summaryHint: string;
}

/** Keywords that only resolve against the schema's own root, so the schema cannot be nested in a tool's input. */
const ROOT_RELATIVE = new Set(["$ref", "$dynamicRef", "$recursiveRef", "$defs", "definitions", "$anchor", "$dynamicAnchor"]);
const DRAFT_07 = /draft-0[4-7]/;

/**
 * The schema as it can sit under `result` in the finish tool's input schema,
 * or null when it cannot (a boolean schema, an older draft, or references
 * that resolve against the root); the prompt then carries it as text.
 */
export function embeddableSchema(schema: JsonSchema | undefined): { [key: string]: JsonValue } | null {
  if (schema === undefined || typeof schema === "boolean") return null;
  if (typeof schema.$schema === "string" && DRAFT_07.test(schema.$schema)) return null;
  if (usesRootRelative(schema)) return null;
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** The `finish` tool for one agent. */
export function createFinishTool(options: FinishToolOptions): AgentTool {
  const { schema, validate } = options;
  const embedded = embeddableSchema(schema);
  const result: { [key: string]: JsonValue } =
    schema === undefined
      ? { type: "string", description: "Your answer, as text." }
      : (embedded ?? { description: "Your answer: a JSON value matching the JSON Schema given in your instructions." });
  const definition: Tool = {
    name: "finish",
    description:
      "Ends your work and hands in your answer. Call it exactly once, when you are done. " +
      (schema === undefined ? "" : "The result is checked against its schema; if it does not match, you get the errors and can call finish again."),
    input_schema: {
      type: "object",
      properties: { summary: { type: "string", description: options.summaryHint }, result },
      required: ["summary", "result"],
    },
  };
  return {
    definition,
    async run(input): Promise<ToolOutcome> {
      const args = readInput("finish", input);
      const summary = args.string("summary").trim();
      if (summary === "") throw new ToolInputError("finish", "summary", `finish: "summary" is empty; ${options.summaryHint}`);
      const value = args.raw("result");
      if (value === undefined || value === null) {
        throw new ToolInputError("finish", "result", 'finish: "result" is required');
      }
      if (schema === undefined) {
        if (typeof value !== "string") throw new ToolInputError("finish", "result", 'finish: "result" must be text (a string)');
        return { content: "Accepted.", finish: { summary, result: value } };
      }
      const accepted = acceptResult(value, validate);
      if (!accepted.ok) {
        return {
          content: `The result does not match its schema: ${accepted.error}\nFix the result and call finish again.`,
          isError: true,
        };
      }
      return { content: "Accepted.", finish: { summary, result: accepted.value } };
    },
  };
}

function acceptResult(
  value: unknown,
  validate: AgentRequest["validate"],
): { ok: true; value: JsonValue } | { ok: false; error: string } {
  const verdict = validate(value);
  if (verdict.ok) return { ok: true, value: value as JsonValue };
  // Models sometimes send the object as a JSON string; accept it when the parsed value fits.
  if (typeof value === "string") {
    const parsed = parseJson(value);
    if (parsed !== undefined && validate(parsed).ok) return { ok: true, value: parsed };
  }
  return verdict;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function usesRootRelative(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.some(usesRootRelative);
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([key, child]) => ROOT_RELATIVE.has(key) || usesRootRelative(child));
}
