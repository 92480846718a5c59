/**
 * `dynflow run`'s settings from the repository's `.github/dynflow.yml` (read
 * by `readLocalConfig` at the base commit): modules, protected paths, models
 * and shortcuts, refuters, rounds, caps, budget, prices and web tools, as the
 * App turns them into a run's settings. Command-line flags are laid over them
 * (`withFlags`).
 */
import { DEFAULT_PRICES, type PriceTable } from "../agents/model/index.js";
import { buildRunSettings, pricesOf, workflowSettingsOf } from "../app/run-record/run-settings.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { ReviewConfig } from "../review/types.js";
import type { WorkflowSettings } from "../run/types.js";
import type { RunLimits } from "../runtime/types.js";
import { EMPTY_COMMANDS_CONFIG, hasCommands, type CommandsConfig } from "../command-sandbox/index.js";

/** Ceilings of a local run: the command line's own ranges, not a deployment's. */
const LOCAL_CEILINGS = { maxConcurrency: 256, maxAgents: 100_000, maxConcurrentRuns: 1, maxConcurrencyPerInstallation: 256 };

export interface CliSettings {
  settings: WorkflowSettings;
  prices: PriceTable;
}

/** The run's settings under `config`. Pure. */
export function cliSettingsOf(config: RepoConfig): CliSettings {
  return { settings: workflowSettingsOf(buildRunSettings(config, LOCAL_CEILINGS), DEFAULT_PRICES), prices: pricesOf(config, DEFAULT_PRICES) };
}

/** The settings with the flags that were given laid over them: a flag always wins. */
export function withFlags(
  settings: WorkflowSettings,
  flags: { limits: Partial<RunLimits>; review: Partial<ReviewConfig>; commands?: Record<string, string>; setup?: string[] },
): WorkflowSettings {
  const base = settings.commands ?? EMPTY_COMMANDS_CONFIG;
  const commands: CommandsConfig = {
    ...base,
    commands: { ...base.commands, ...flags.commands },
    setup: flags.setup ?? base.setup,
  };
  return {
    ...settings,
    limits: { ...settings.limits, ...flags.limits },
    review: { ...settings.review, ...flags.review },
    ...(hasCommands(commands) ? { commands } : {}),
  };
}
