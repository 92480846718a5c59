/**
 * `dynflow run` reads the repository's `.github/dynflow.yml` as committed at
 * the run's base, like the App reads it on GitHub, and turns it into the
 * run's settings: modules, protected paths, models, refuters, rounds, caps,
 * budget and prices. Command-line flags are laid over it (`withFlags`).
 */
import type { GitRepository } from "../workspace/index.js";
import { DynflowError } from "../errors.js";
import { DEFAULT_PRICES, type PriceTable } from "../agents/model/models.js";
import { buildRunSettings, pricesOf, workflowSettingsOf } from "../app/run-record/run-settings.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from "../config/repo-config.js";
import type { ReviewConfig } from "../review/types.js";
import type { WorkflowSettings } from "../run/types.js";
import type { RunLimits } from "../runtime/types.js";

/** Where the CLI reads the repository's settings. */
export const REPO_CONFIG_PATH = ".github/dynflow.yml";

/** Ceilings of a local run: the command line's own ranges, not a deployment's. */
const LOCAL_CEILINGS = { maxConcurrency: 256, maxAgents: 100_000, maxConcurrentRuns: 1, maxConcurrencyPerInstallation: 256 };

/** `.github/dynflow.yml` at the base commit is invalid; `problems` lists each, as the App's comment would. */
export class CliConfigError extends DynflowError {
  readonly problems: string[];

  constructor(commit: string, problems: string[]) {
    super("repo_config_invalid", `${REPO_CONFIG_PATH} at ${commit.slice(0, 12)} is invalid; fix it or run from another --base:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

export interface CliSettings {
  /** Whether the file exists at the base commit (false: every default). */
  found: boolean;
  config: RepoConfig;
  settings: WorkflowSettings;
  prices: PriceTable;
}

/** The repository's settings at `commit`; the defaults when the file is absent. Throws `CliConfigError` listing every problem. */
export async function readCliConfig(repository: Pick<GitRepository, "readFile">, commit: string): Promise<CliSettings> {
  const text = await repository.readFile(commit, REPO_CONFIG_PATH).then(
    (buffer) => buffer.toString("utf8"),
    () => null,
  );
  let config: RepoConfig = DEFAULT_REPO_CONFIG;
  if (text !== null) {
    const parsed = parseRepoConfig(text);
    if (!parsed.ok) throw new CliConfigError(commit, parsed.errors.map((error) => (error.path ? `${error.path} ${error.message}` : error.message)));
    config = parsed.config;
  }
  return {
    found: text !== null,
    config,
    settings: workflowSettingsOf(buildRunSettings(config, LOCAL_CEILINGS)),
    prices: pricesOf(config, DEFAULT_PRICES),
  };
}

/** The settings with the flags that were given laid over them: a flag always wins. */
export function withFlags(settings: WorkflowSettings, flags: { limits: Partial<RunLimits>; review: Partial<ReviewConfig> }): WorkflowSettings {
  return {
    ...settings,
    limits: { ...settings.limits, ...flags.limits },
    review: { ...settings.review, ...flags.review },
  };
}
