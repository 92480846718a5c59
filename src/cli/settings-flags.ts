/**
 * The caps, budgets and review flags `dynflow run` and `dynflow resume` both
 * take. They are laid over the repository's `.github/dynflow.yml` at the base
 * commit (`withFlags`); a run keeps the ones it was given in the local store,
 * and a resume's replace them one by one.
 */
import type { LocalRunSettings } from "../local-runs/local-run-record.js";
import { intFlag, numberFlag, UsageError } from "./cli-io.js";

/** `parseArgs` options of those flags. */
export const SETTINGS_OPTIONS = {
  "max-concurrency": { type: "string" },
  "max-agents": { type: "string" },
  "budget-tokens": { type: "string" },
  "budget-usd": { type: "string" },
  refuters: { type: "string" },
  rounds: { type: "string" },
  command: { type: "string", multiple: true },
  setup: { type: "string", multiple: true },
} as const;

/** The settings those flags give (unset flags left out, so the repository's settings stay). Throws `UsageError`. */
export function settingsOf(values: { [K in Exclude<keyof typeof SETTINGS_OPTIONS, "command" | "setup">]?: string } & { command?: string[]; setup?: string[] }): LocalRunSettings {
  const commands = commandsOf(values.command ?? []);
  const setup = (values.setup ?? []).map((line) => line.trim());
  if (setup.some((line) => line === "")) throw new UsageError("--setup is empty; give a command line such as \"npm ci\"");
  return {
    ...(Object.keys(commands).length > 0 ? { commands } : {}),
    ...(setup.length > 0 ? { setup } : {}),
    limits: withoutUndefined({
      maxConcurrency: intFlag("max-concurrency", values["max-concurrency"], 1, 256),
      maxAgents: intFlag("max-agents", values["max-agents"], 1),
      budgetTokens: intFlag("budget-tokens", values["budget-tokens"], 1),
      budgetUsd: numberFlag("budget-usd", values["budget-usd"]),
    }),
    review: withoutUndefined({ refutersPerClaim: intFlag("refuters", values.refuters, 1, 16), maxRounds: intFlag("rounds", values.rounds, 1, 10) }),
  };
}

/** `--command name=line` flags as a map; the last flag for a name wins. */
function commandsOf(flags: readonly string[]): Record<string, string> {
  const commands: Record<string, string> = {};
  for (const flag of flags) {
    const match = /^([a-z][a-z0-9_-]{0,39})=(.*\S.*)$/s.exec(flag);
    if (!match) throw new UsageError(`--command must be name=command line, e.g. --command "test=npm test" (a lowercase name); got "${flag}"`);
    commands[match[1] as string] = (match[2] as string).trim();
  }
  return commands;
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
