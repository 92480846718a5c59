/**
 * The settings a run is planned, estimated and executed with: the
 * repository's config as it was when the run was requested (or resumed),
 * and the limits it resolves to within the deployment's ceilings. Kept on
 * the run record, so an approval runs exactly what was estimated; read back
 * through the config's own schema (`readRunSettings`). Pure.
 */
import type { PriceTable } from "../../agents/model/index.js";
import type { AppConfig } from "../../config/load-env.js";
import { z } from "zod";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../config/repo-config.js";
import { repoConfigSchema } from "../../config/repo-config-schema.js";
import { resolveRunLimits, type ResolvedRunLimits } from "../../config/resolve-run-limits.js";
import type { ReviewConfig } from "../../review/types.js";
import { EMPTY_COMMANDS_CONFIG, hasCommands, type CommandsConfig } from "../../command-sandbox/index.js";
import type { WorkflowSettings } from "../../run/types.js";
import type { JsonValue } from "../../runtime/types.js";
import { parseColumn, toColumnJson } from "./parse-column.js";

/** What `RunRecord.limits` holds. */
export interface RunSettings {
  config: RepoConfig;
  resolved: ResolvedRunLimits;
}

/** The settings of a run requested under `config`. */
export function buildRunSettings(config: RepoConfig, ceilings: AppConfig["caps"]): RunSettings {
  return { config, resolved: resolveRunLimits(config, ceilings) };
}

// The stored config went through the same schema when the run was requested, so it reads back as it was;
// `resolved` is not read: it is resolved again (below).
const storedSettingsSchema = z.looseObject({ config: repoConfigSchema });

/**
 * The settings stored on a run; the defaults for a record without any.
 * Throws `UnreadableRunRecordError` for settings this version cannot read.
 */
export function readRunSettings(stored: JsonValue | null, ceilings: AppConfig["caps"]): RunSettings {
  const config: RepoConfig = stored === null ? DEFAULT_REPO_CONFIG : parseColumn("limits", storedSettingsSchema, stored).config;
  // Re-resolved rather than trusted: the deployment's ceilings may have been lowered since.
  return buildRunSettings(config, ceilings);
}

/** The settings as stored JSON. */
export function toSettingsJson(settings: RunSettings): JsonValue {
  return toColumnJson(settings);
}

/** How the run reviews changes. */
export function reviewConfigOf(config: RepoConfig): ReviewConfig {
  const review: ReviewConfig = { refutersPerClaim: config.refuters, maxRounds: config.rounds };
  if (config.modules !== "auto") review.modules = config.modules.map((module) => ({ name: module.name, globs: [...module.globs] }));
  return review;
}

/** The repository's commands, setup and sandbox settings, when it has any (records from before them have none). */
function commandsOf(config: RepoConfig): { commands?: CommandsConfig } {
  const commands: CommandsConfig = {
    commands: config.commands ?? {},
    setup: config.setup ?? [],
    sandbox: config.sandbox ?? EMPTY_COMMANDS_CONFIG.sandbox,
  };
  return hasCommands(commands) ? { commands } : {};
}

/** The deployment's prices with the repository's overrides. */
export function pricesOf(config: RepoConfig, deployment: PriceTable): PriceTable {
  return { ...deployment, ...config.prices };
}

/** `runWorkflow`'s settings; `deploymentPrices` (with the repository's overrides) are what models are checked against. */
export function workflowSettingsOf(settings: RunSettings, deploymentPrices?: PriceTable): WorkflowSettings {
  const { config, resolved } = settings;
  return {
    limits: resolved.limits,
    review: reviewConfigOf(config),
    models: config.models,
    // Records written before these settings existed have none: the defaults apply.
    modelAliases: config.modelAliases ?? {},
    ...(deploymentPrices ? { prices: pricesOf(config, deploymentPrices) } : {}),
    ...(config.web ? { web: config.web } : {}),
    protectedPaths: config.protectedPaths,
    agentLimits: { maxTurns: resolved.maxTurns },
    repoConfig: config,
    ...commandsOf(config),
  };
}
