/**
 * The settings a run is planned, estimated and executed with: the
 * repository's config as it was when the run was requested (or resumed),
 * and the limits it resolves to within the deployment's ceilings. Kept on
 * the run record, so an approval runs exactly what was estimated. Pure.
 */
import type { PriceTable } from "../../agents/model/index.js";
import type { AppConfig } from "../../config/load-env.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../config/repo-config.js";
import { resolveRunLimits, type ResolvedRunLimits } from "../../config/resolve-run-limits.js";
import type { ReviewConfig } from "../../review/types.js";
import type { WorkflowSettings } from "../../run/types.js";
import type { JsonValue } from "../../runtime/types.js";

/** What `RunRecord.limits` holds. */
export interface RunSettings {
  config: RepoConfig;
  resolved: ResolvedRunLimits;
}

/** The settings of a run requested under `config`. */
export function buildRunSettings(config: RepoConfig, ceilings: AppConfig["caps"]): RunSettings {
  return { config, resolved: resolveRunLimits(config, ceilings) };
}

/** The settings stored on a run; the defaults for a record without any (e.g. written by an older version). */
export function readRunSettings(stored: JsonValue | null, ceilings: AppConfig["caps"]): RunSettings {
  const config = isObject(stored) && isObject(stored.config) ? (stored.config as unknown as RepoConfig) : DEFAULT_REPO_CONFIG;
  // Re-resolved rather than trusted: the deployment's ceilings may have been lowered since.
  return buildRunSettings(config, ceilings);
}

/** The settings as stored JSON. */
export function toSettingsJson(settings: RunSettings): JsonValue {
  return JSON.parse(JSON.stringify(settings)) as JsonValue;
}

/** How the run reviews changes. */
export function reviewConfigOf(config: RepoConfig): ReviewConfig {
  const review: ReviewConfig = { refutersPerClaim: config.refuters, maxRounds: config.rounds };
  if (config.modules !== "auto") review.modules = config.modules.map((module) => ({ name: module.name, globs: [...module.globs] }));
  return review;
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
  };
}

function isObject(value: JsonValue | null | undefined): value is { [key: string]: JsonValue } {
  return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
}
