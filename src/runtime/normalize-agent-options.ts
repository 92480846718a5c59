/**
 * Turns the `opts` a script passed to `agent()` into `AgentOptions`: checks
 * types, keeps known keys, and reports unknown ones as warnings instead of
 * failing, so scripts written for Claude Code keep running.
 */
import { InvalidScriptCallError } from "./errors.js";
import type { AgentOptions, JsonSchema, JsonValue } from "./types.js";

/** Options Claude Code's workflow scripts accept. */
const CLAUDE_CODE_KEYS = ["label", "phase", "schema", "model", "isolation", "agentType", "effort"] as const;
/** dynflow's additions. */
const DYNFLOW_KEYS = ["role", "write", "maxTurns", "subject"] as const;
const KNOWN = new Set<string>([...CLAUDE_CODE_KEYS, ...DYNFLOW_KEYS]);
const ROLES = new Set(["worker", "refuter", "resolver"]);

export interface NormalizedAgentCall {
  options: AgentOptions;
  /** Unknown option keys, ignored. */
  unknownKeys: string[];
}

function fail(what: string): never {
  throw new InvalidScriptCallError(`agent(prompt, opts): ${what}`);
}

function optionalString(raw: Record<string, JsonValue>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(`opts.${key} must be a string, got ${typeof value}`);
  return value;
}

/** Validates and normalises one call's arguments. Throws `InvalidScriptCallError`. */
export function normalizeAgentCall(prompt: unknown, rawOptions: unknown): NormalizedAgentCall & { prompt: string } {
  if (typeof prompt !== "string") fail(`prompt must be a string, got ${prompt === null ? "null" : typeof prompt}`);
  if (prompt.trim() === "") fail("prompt is empty; give the agent a task");
  if (rawOptions === undefined || rawOptions === null) return { prompt, options: {}, unknownKeys: [] };
  if (typeof rawOptions !== "object" || Array.isArray(rawOptions)) fail("opts must be an object");
  const raw = rawOptions as Record<string, JsonValue>;
  const options: AgentOptions = {};
  const unknownKeys = Object.keys(raw).filter((key) => !KNOWN.has(key) && raw[key] !== undefined);

  for (const key of ["label", "phase", "model", "isolation", "agentType", "effort"] as const) {
    const value = optionalString(raw, key);
    if (value !== undefined) options[key] = value;
  }
  if (raw.schema !== undefined && raw.schema !== null) {
    if (typeof raw.schema !== "object" && typeof raw.schema !== "boolean") fail("opts.schema must be a JSON Schema object");
    if (Array.isArray(raw.schema)) fail("opts.schema must be a JSON Schema object, not an array");
    options.schema = raw.schema as JsonSchema;
  }
  const role = optionalString(raw, "role");
  if (role !== undefined) {
    if (!ROLES.has(role)) fail(`opts.role must be one of worker, refuter, resolver; got "${role}"`);
    options.role = role as AgentOptions["role"];
  }
  if (raw.write !== undefined && raw.write !== null) {
    const write = typeof raw.write === "string" ? [raw.write] : raw.write;
    if (!Array.isArray(write) || !write.every((g) => typeof g === "string" && g !== "")) {
      fail("opts.write must be a glob or a list of globs, e.g. ['src/billing/**']");
    }
    options.write = write as string[];
  }
  if (raw.maxTurns !== undefined && raw.maxTurns !== null) {
    const turns = raw.maxTurns;
    if (typeof turns !== "number" || !Number.isInteger(turns) || turns < 1) fail("opts.maxTurns must be a whole number from 1 up");
    options.maxTurns = turns;
  }
  if (raw.subject !== undefined) options.subject = raw.subject;
  return { prompt, options, unknownKeys };
}
