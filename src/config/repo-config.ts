/**
 * `parseRepoConfig`: validates `.github/dynflow.yml`, reporting every problem
 * at once with its path so one comment can list them all. Pure: loading lives
 * in `load-repo-config.ts`, the schema in `repo-config-schema.ts`.
 */
import { parse as parseYaml, YAMLError } from "yaml";
import { DEFAULT_PRICES, isModelAlias, mergeAliases, priceFor, resolveModelAlias, UnknownModelPriceError, type PriceTable, type Role } from "../agents/model/index.js";
import { toConfigErrors, type ConfigError } from "./config-errors.js";
import { keysAt, repoConfigSchema, type RepoConfig } from "./repo-config-schema.js";

export { DEFAULT_APPROVAL } from "./repo-config-schema.js";
export type { ApprovalPolicy, AuditConfig, RepoConfig } from "./repo-config-schema.js";

/** The configuration of a repository without `.github/dynflow.yml`. */
export const DEFAULT_REPO_CONFIG: Readonly<RepoConfig> = Object.freeze<RepoConfig>(repoConfigSchema.parse({}));

export type ParseRepoConfigResult = { ok: true; config: RepoConfig } | { ok: false; errors: ConfigError[] };

export interface ParseRepoConfigOptions {
  /** Prices known to the app (built-in plus environment overrides); models must have one. */
  prices?: Readonly<PriceTable>;
}

/**
 * Validates the config, given as YAML text or as the object Probot already
 * parsed. `null`, `undefined` and an empty file mean "all defaults".
 */
export function parseRepoConfig(input: unknown, options: ParseRepoConfigOptions = {}): ParseRepoConfigResult {
  let value: unknown = input;
  if (typeof input === "string") {
    try {
      value = parseYaml(input, { prettyErrors: true });
    } catch (error) {
      if (error instanceof YAMLError) return { ok: false, errors: [{ path: "", message: `is not valid YAML: ${firstLine(error.message)}` }] };
      throw error;
    }
  }
  if (value === null || value === undefined) value = {};
  if (typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, errors: [{ path: "", message: "must be a mapping of settings (key: value), e.g. caps: { maxAgents: 100 }" }] };
  }
  // `_extends` is Probot's config inheritance; it is resolved before we see the file.
  const { _extends: _ignored, ...settings } = value as Record<string, unknown>;
  const parsed = repoConfigSchema.safeParse(settings, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: toConfigErrors(parsed.error.issues, keysAt) };
  const config: RepoConfig = parsed.data;
  const aliases = mergeAliases(config.modelAliases);
  const errors: ConfigError[] = [];
  for (const name of Object.keys(config.models) as Role[]) {
    const given = config.models[name];
    // `models.worker: sonnet` reads like a script's `model: "sonnet"`.
    if (isModelAlias(given, aliases)) {
      const resolved = resolveModelAlias(given, aliases);
      if (resolved === undefined) errors.push({ path: `models.${name}`, message: `cannot be "${given}": a role's model is what inherit refers to; give a model id or a shortcut such as sonnet` });
      else config.models[name] = resolved;
    }
  }
  const prices = { ...(options.prices ?? DEFAULT_PRICES), ...config.prices };
  const reported = new Set(errors.map((error) => error.path));
  errors.push(...unpricedModels(config, prices).filter((error) => !reported.has(error.path)));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

function unpricedModels(config: RepoConfig, prices: PriceTable): ConfigError[] {
  const models: [string, string][] = [
    ...(Object.entries(config.models) as [Role, string][]).map(([name, model]): [string, string] => [`models.${name}`, model]),
    ...Object.entries(config.modelAliases).map(([name, model]): [string, string] => [`modelAliases.${name}`, model]),
  ];
  return models.flatMap(([path, model]) => {
    try {
      priceFor(model, prices);
      return [];
    } catch (error) {
      if (!(error instanceof UnknownModelPriceError)) throw error;
      return [{ path, message: `has no price for "${model}": add it under prices (input, output, cacheWrite, cacheRead in US dollars per million tokens)` }];
    }
  });
}

/** The parser's message without the excerpt that follows it. */
export function firstLine(message: string): string {
  return (message.split("\n")[0] ?? "").replace(/:\s*$/, "");
}
