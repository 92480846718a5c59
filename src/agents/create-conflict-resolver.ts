/**
 * Adapts the resolver agent to reconciliation's `ConflictResolver`: one
 * resolver agent per conflicted change, its result checked against the
 * conflicted paths, `null` (give up) when the agent fails.
 */
import { createHash } from "node:crypto";
import { pino, type Logger } from "pino";
import type { ConflictInput, ConflictResolution, ConflictResolver } from "../reconcile/types.js";
import { AgentFailedError } from "../runtime/errors.js";
import { compileSchema } from "../runtime/schema/compile-schema.js";
import { ZERO_USAGE, type AgentRunner, type JsonSchema, type JsonValue, type TokenUsage } from "../runtime/types.js";
import { slugify } from "../workspace/index.js";
import { messageOf } from "../errors.js";

/** The result a resolver agent hands in: the final contents of each file (null deletes it). */
export const RESOLUTION_SCHEMA: JsonSchema = {
  type: "object",
  required: ["files"],
  additionalProperties: false,
  properties: {
    files: {
      type: "array",
      items: {
        type: "object",
        required: ["path", "content"],
        additionalProperties: false,
        properties: {
          path: { type: "string", description: "The conflicted file's path, exactly as given." },
          content: { type: ["string", "null"], description: "Its complete merged contents; null deletes the file." },
        },
      },
    },
  },
};

/** One resolver agent's outcome, for the run's accounting of spend. */
export interface ResolverReport {
  label: string;
  agentId: string;
  ok: boolean;
  usage: TokenUsage;
  costUsd: number;
  error?: string;
}

export interface ConflictResolverDeps {
  /** Usually the run's `createAgentRunner(...)`. */
  runner: AgentRunner;
  runId: string;
  signal?: AbortSignal;
  maxTurns?: number;
  /** Model id override for resolvers. */
  model?: string;
  /** Called once per resolver agent, so its spend is counted. */
  onReport?: (report: ResolverReport) => void;
  log?: Logger;
}

const schema = compileSchema(RESOLUTION_SCHEMA);

/** Creates the `ConflictResolver`; see the module comment. */
export function createConflictResolver(deps: ConflictResolverDeps): ConflictResolver {
  const log = deps.log ?? pino({ level: "silent" });
  const signal = deps.signal ?? new AbortController().signal;
  let calls = 0;

  return async (input: ConflictInput): Promise<ConflictResolution | null> => {
    calls += 1;
    const agentId = `resolve-${calls}-${slugify(input.label)}`;
    const paths = input.files.map((f) => f.path);
    const subject: JsonValue = { label: input.label, files: input.files.map((f) => ({ ...f })), types: input.types };
    const validate = (value: unknown) => {
      const verdict = schema.validate(value);
      return verdict.ok ? checkPaths(value as { files: { path: string }[] }, paths) : verdict;
    };
    const report = (fields: Omit<ResolverReport, "label" | "agentId">) => deps.onReport?.({ label: input.label, agentId, ...fields });
    try {
      const result = await deps.runner.run({
        runId: deps.runId,
        agentId,
        key: createHash("sha256").update(JSON.stringify([input.change.commit, subject])).digest("hex"),
        label: `resolve ${input.label}`,
        prompt: `Resolve the merge conflicts of "${input.label}" in ${paths.join(", ")}.`,
        options: {
          role: "resolver",
          label: `resolve ${input.label}`,
          schema: RESOLUTION_SCHEMA,
          subject,
          ...(deps.maxTurns === undefined ? {} : { maxTurns: deps.maxTurns }),
          ...(deps.model === undefined ? {} : { model: deps.model }),
        },
        attempt: 1,
        validate,
        signal,
      });
      report({ ok: true, usage: result.usage, costUsd: result.costUsd });
      if (!validate(result.output).ok) return null;
      const files = (result.output as { files: { path: string; content: string | null }[] }).files;
      return Object.fromEntries(files.map((f) => [f.path, f.content]));
    } catch (error) {
      const spent = error instanceof AgentFailedError ? error : { usage: { ...ZERO_USAGE }, costUsd: 0 };
      const message = messageOf(error);
      report({ ok: false, usage: spent.usage, costUsd: spent.costUsd, error: message });
      log.warn({ label: input.label, err: error }, "resolver agent failed; the conflict stays unresolved");
      return null;
    }
  };
}

/** Every conflicted path exactly once, and no other path. */
function checkPaths(value: { files: { path: string }[] }, paths: readonly string[]): { ok: true } | { ok: false; error: string } {
  const given = value.files.map((f) => f.path);
  const missing = paths.filter((p) => !given.includes(p));
  const extra = given.filter((p) => !paths.includes(p));
  const twice = given.filter((p, i) => given.indexOf(p) !== i);
  const problems = [
    missing.length > 0 ? `missing ${missing.join(", ")}` : "",
    extra.length > 0 ? `not conflicted (leave them out): ${extra.join(", ")}` : "",
    twice.length > 0 ? `given more than once: ${twice.join(", ")}` : "",
  ].filter(Boolean);
  return problems.length === 0 ? { ok: true } : { ok: false, error: `files must list each conflicted file once: ${problems.join("; ")}` };
}
