/**
 * How `effort` reaches the Messages API for each model: the `effort` output
 * setting on models that take it, an extended-thinking budget on models that
 * only think that way, nothing on models that do neither. Thinking tokens are
 * billed as output tokens, so spend needs no special pricing; what changes is
 * room (`max_tokens`) and the estimate (see `EFFORT_OUTPUT_FACTOR`).
 */
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";

/** The effort levels Claude Code's scripts and agent definitions use, lowest first. */
export const EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORTS)[number];

/** What a model accepts. */
interface ThinkingSupport {
  /** Levels `output_config.effort` accepts; empty: the parameter is refused. */
  effort: readonly Effort[];
  /** Takes `thinking: { type: "enabled", budget_tokens }` (the only thinking mode of older models). */
  extendedThinking: boolean;
  /** Thinks only with a budget even where effort is taken, so a level is sent with a budget too (Opus 4.5). */
  budgetWithEffort?: boolean;
}

const ALL: readonly Effort[] = EFFORTS;
const NO_XHIGH: readonly Effort[] = ["low", "medium", "high", "max"];

/*
 * Read on 2026-11-24 from Anthropic's docs: "Effort" (supported models and
 * which levels each accepts) and "Troubleshooting thinking" (thinking modes by
 * model). Fable 5.2 is not on the effort page yet; it is taken to behave like
 * Fable 5.1, which it succeeds.
 */
const SUPPORT: Readonly<Record<string, ThinkingSupport>> = {
  "claude-fable-5-2": { effort: ALL, extendedThinking: false },
  "claude-fable-5-1": { effort: ALL, extendedThinking: false },
  "claude-fable-5": { effort: ALL, extendedThinking: false },
  "claude-opus-5-5": { effort: ALL, extendedThinking: false },
  "claude-opus-5": { effort: ALL, extendedThinking: false },
  "claude-opus-4-8": { effort: ALL, extendedThinking: false },
  "claude-opus-4-7": { effort: ALL, extendedThinking: false },
  "claude-opus-4-6": { effort: NO_XHIGH, extendedThinking: true },
  "claude-opus-4-5": { effort: ["low", "medium", "high"], extendedThinking: true, budgetWithEffort: true },
  "claude-sonnet-5-5": { effort: ALL, extendedThinking: false },
  "claude-sonnet-5": { effort: ALL, extendedThinking: false },
  "claude-sonnet-4-6": { effort: NO_XHIGH, extendedThinking: true },
  "claude-sonnet-4-5": { effort: [], extendedThinking: true },
  "claude-haiku-5-5": { effort: ALL, extendedThinking: false },
  "claude-haiku-4-5": { effort: [], extendedThinking: true },
};

/** Thinking budget per level on models with extended thinking only (the API's minimum is 1,024). */
const THINKING_BUDGET: Readonly<Record<Effort, number>> = { low: 2_048, medium: 4_096, high: 8_192, xhigh: 16_384, max: 32_000 };

/**
 * Output room per level: thinking counts toward `max_tokens`, and Anthropic's
 * guidance is a large `max_tokens` (64k to start) at the highest levels.
 */
const MIN_OUTPUT_TOKENS: Readonly<Record<Effort, number>> = { low: 0, medium: 0, high: 32_000, xhigh: 64_000, max: 64_000 };

/**
 * Output tokens of an agent at each level relative to the model's default, for
 * estimates only (a named assumption, not a measurement): effort is a
 * behavioural signal, and higher levels think more and call more tools.
 */
export const EFFORT_OUTPUT_FACTOR: Readonly<Record<Effort, number>> = { low: 0.5, medium: 1, high: 1.5, xhigh: 2.5, max: 4 };

const SNAPSHOT_SUFFIX = /-\d{8}$/;

/** Whether `value` is an effort level. */
export function isEffort(value: unknown): value is Effort {
  return typeof value === "string" && (EFFORTS as readonly string[]).includes(value);
}

function supportOf(model: string): ThinkingSupport | undefined {
  return SUPPORT[model] ?? SUPPORT[model.replace(SNAPSHOT_SUFFIX, "")];
}

/** How `effort` applies to `model`: the level sent (possibly lowered), or how it is applied instead, and a note when it is not as asked. */
export interface EffortPlan {
  /** Sent as `output_config.effort`. */
  effort?: Effort;
  /** Sent as an extended-thinking budget. */
  thinkingBudget?: number;
  /** Why the request differs from what was asked, for the run's log; absent when it is exactly as asked. */
  note?: string;
}

/** Plans `effort` on `model`; see `EffortPlan`. */
export function planEffort(model: string, effort: Effort): EffortPlan {
  const support = supportOf(model);
  if (support === undefined) {
    return { note: `effort "${effort}" is not applied to ${model}: dynflow does not know whether that model takes an effort setting` };
  }
  let level: Effort | undefined;
  let note: string | undefined;
  if (support.effort.includes(effort)) level = effort;
  else if (support.effort.length > 0) {
    level = [...support.effort].reverse().find((l) => EFFORTS.indexOf(l) < EFFORTS.indexOf(effort)) ?? support.effort[0];
    note = `effort "${effort}" is lowered to "${level}" on ${model}, the highest level it takes`;
  }
  if (level !== undefined) {
    return { effort: level, ...(support.budgetWithEffort ? { thinkingBudget: THINKING_BUDGET[level] } : {}), ...(note ? { note } : {}) };
  }
  if (support.extendedThinking) {
    return { thinkingBudget: THINKING_BUDGET[effort], note: `effort "${effort}" becomes a thinking budget of ${THINKING_BUDGET[effort]} tokens on ${model}, which has no effort setting` };
  }
  return { note: `effort "${effort}" is not applied to ${model}, which has no effort or thinking setting` };
}

/** The request fields that carry `effort` on `model`, with `max_tokens` raised to leave room for thinking. */
export function effortParams(
  model: string,
  effort: Effort | undefined,
  maxOutputTokens: number,
): Pick<MessageCreateParamsNonStreaming, "max_tokens" | "output_config" | "thinking"> {
  if (effort === undefined) return { max_tokens: maxOutputTokens };
  const plan = planEffort(model, effort);
  const level = plan.effort;
  let maxTokens = Math.max(maxOutputTokens, level === undefined ? 0 : MIN_OUTPUT_TOKENS[level]);
  const params: Pick<MessageCreateParamsNonStreaming, "max_tokens" | "output_config" | "thinking"> = { max_tokens: maxTokens };
  if (level !== undefined) params.output_config = { effort: level };
  if (plan.thinkingBudget !== undefined) {
    // The budget must stay below max_tokens, with the usual room left for the answer.
    maxTokens = Math.max(maxTokens, plan.thinkingBudget + maxOutputTokens);
    params.max_tokens = maxTokens;
    params.thinking = { type: "enabled", budget_tokens: plan.thinkingBudget };
  }
  return params;
}
