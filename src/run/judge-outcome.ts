/**
 * A script that returned is not yet a finished run: when it called agents
 * and every one of them failed, nothing was done, and the run failed, with
 * the cause its agents met. Pure.
 */
import type { RunOutcome } from "../runtime/types.js";

/** The code of a run whose every agent failed. */
export const ALL_AGENTS_FAILED = "all_agents_failed";

/** `outcome`, or the same outcome failed when every agent failed (none stopped by a person). */
export function judgeOutcome(outcome: RunOutcome): RunOutcome {
  if (outcome.status !== "ok" || outcome.agents.length === 0) return outcome;
  if (!outcome.agents.every((agent) => agent.status === "failed" && agent.stopped !== true)) return outcome;
  const count = outcome.agents.length;
  const cause = commonestCause(outcome.agents.map((agent) => agent.error ?? "no error was recorded"));
  const message =
    `every agent failed (${count} of ${count})${cause.times > 1 ? `, ${cause.times === count ? "all" : cause.times} with the same cause` : ""}: ${cause.text}. ` +
    "Resuming the run (`/dynflow resume`, or `dynflow resume` for a local run) runs its script again and calls every failed agent again.";
  return { ...outcome, status: "error", error: { code: ALL_AGENTS_FAILED, message } };
}

function commonestCause(errors: string[]): { text: string; times: number } {
  const counts = new Map<string, number>();
  for (const error of errors) counts.set(error, (counts.get(error) ?? 0) + 1);
  let best = { text: errors[0]!, times: 0 };
  for (const [text, times] of counts) if (times > best.times) best = { text, times };
  return best;
}
