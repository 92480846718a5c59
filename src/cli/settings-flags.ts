/**
 * The caps, budgets and review flags `dynflow run` and `dynflow resume` both
 * take. They are laid over the repository's `.github/dynflow.yml` at the base
 * commit (`withFlags`); a run keeps the ones it was given in the local store,
 * and a resume's replace them one by one.
 */
import type { LocalRunSettings } from "../local-runs/local-run-record.js";
import { intFlag, numberFlag } from "./cli-io.js";

/** `parseArgs` options of those flags. */
export const SETTINGS_OPTIONS = {
  "max-concurrency": { type: "string" },
  "max-agents": { type: "string" },
  "budget-tokens": { type: "string" },
  "budget-usd": { type: "string" },
  refuters: { type: "string" },
  rounds: { type: "string" },
} as const;

/** The settings those flags give (unset flags left out, so the repository's settings stay). Throws `UsageError`. */
export function settingsOf(values: { [K in keyof typeof SETTINGS_OPTIONS]?: string }): LocalRunSettings {
  return {
    limits: withoutUndefined({
      maxConcurrency: intFlag("max-concurrency", values["max-concurrency"], 1, 256),
      maxAgents: intFlag("max-agents", values["max-agents"], 1),
      budgetTokens: intFlag("budget-tokens", values["budget-tokens"], 1),
      budgetUsd: numberFlag("budget-usd", values["budget-usd"]),
    }),
    review: withoutUndefined({ refutersPerClaim: intFlag("refuters", values.refuters, 1, 16), maxRounds: intFlag("rounds", values.rounds, 1, 10) }),
  };
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
