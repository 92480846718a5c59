/**
 * The repository's `.github/dynflow.yml` for a local run, read through git at
 * the base commit like every other file of the run. A missing file means the
 * defaults; an invalid one stops the command with every problem listed.
 */
import { parseRepoConfig, type RepoConfig, DEFAULT_REPO_CONFIG } from "../config/repo-config.js";
import type { PriceTable } from "../agents/model/index.js";
import { DynflowError } from "../errors.js";
import type { GitRepository } from "../workspace/index.js";

export const LOCAL_CONFIG_PATH = ".github/dynflow.yml";

/** `.github/dynflow.yml` has problems; the message lists each. */
export class InvalidLocalConfigError extends DynflowError {
  declare readonly code: "invalid_repo_config";
  readonly problems: string[];

  constructor(problems: string[]) {
    super("invalid_repo_config", `${LOCAL_CONFIG_PATH} at the base commit has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

/** The validated config at `commit` (defaults when the file is absent). Throws `InvalidLocalConfigError`. */
export async function readLocalConfig(repository: Pick<GitRepository, "entryAt" | "readObject">, commit: string, prices?: PriceTable): Promise<RepoConfig> {
  // Only a regular file counts (not a link, a folder or a submodule), read through the trees on its path.
  const text = await repository.entryAt(commit, LOCAL_CONFIG_PATH).then(
    async (entry) => (entry?.kind === "file" ? (await repository.readObject(entry.oid)).toString("utf8") : null),
    () => null,
  );
  if (text === null) return structuredClone(DEFAULT_REPO_CONFIG) as RepoConfig;
  const parsed = parseRepoConfig(text, prices === undefined ? {} : { prices });
  if (!parsed.ok) throw new InvalidLocalConfigError(parsed.errors.map((error) => (error.path === "" ? error.message : `${error.path} ${error.message}`)));
  return parsed.config;
}
