/**
 * Model shortcuts as Claude Code's scripts and agent definitions write them
 * (`model: "haiku"`, `"sonnet"`, `"opus"`, `"fable"`, `"inherit"`), mapped to
 * model ids. Repository config may add shortcuts or point one elsewhere
 * (`modelAliases:` in `.github/dynflow.yml`).
 */

/**
 * What each shortcut means by default. Read on 2026-11-24 from Claude Code's
 * "Model configuration" page (what `opus`, `sonnet` and `fable` resolve to on
 * the Anthropic API: Opus 5.5, Sonnet 5.5, Fable 5.1) and Anthropic's "Models
 * overview" (the current Haiku is Haiku 5.5; ids as listed there). `best`
 * follows `fable`, as in Claude Code.
 */
export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  opus: "claude-opus-5-5",
  sonnet: "claude-sonnet-5-5",
  haiku: "claude-haiku-5-5",
  fable: "claude-fable-5-1",
  best: "claude-fable-5-1",
});

/** The shortcut for "the model this kind of agent gets anyway" (the role's configured model). */
export const INHERIT = "inherit";

/** Shortcut names: lowercase letters, digits and `-`, starting with a letter. */
export const ALIAS_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Claude Code's extended-context suffix (`opus[1m]`); every current model has a 1M window, so it changes nothing here. */
const CONTEXT_SUFFIX = /\[1m\]$/i;

/** The default shortcuts with the repository's overrides. */
export function mergeAliases(overrides: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { ...DEFAULT_MODEL_ALIASES, ...overrides };
}

/**
 * The model id `requested` stands for: a shortcut's target, `undefined` for
 * `inherit` (the caller uses the role's model), else `requested` itself (a
 * model id, checked against the price table elsewhere). Shortcut names are
 * matched without regard to case.
 */
export function resolveModelAlias(requested: string | undefined, aliases: Readonly<Record<string, string>>): string | undefined {
  if (requested === undefined) return undefined;
  const bare = requested.trim().replace(CONTEXT_SUFFIX, "");
  const name = bare.toLowerCase();
  if (name === INHERIT) return undefined;
  return aliases[name] ?? bare;
}

/** Whether `requested` is a shortcut (or `inherit`) rather than a model id. */
export function isModelAlias(requested: string, aliases: Readonly<Record<string, string>>): boolean {
  const name = requested.trim().replace(CONTEXT_SUFFIX, "").toLowerCase();
  return name === INHERIT || Object.hasOwn(aliases, name);
}
