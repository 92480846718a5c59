/**
 * Reads `.github/dynflow.yml` with Probot's config rules: from the default
 * branch, following `_extends`, falling back to the owner's `.github`
 * repository (`configSourceOf`, or a Probot context's own `config`). A
 * missing file means the defaults.
 */
import { YAMLError } from "yaml";
import { ExtendsNotFoundError } from "../github/errors.js";
import type { ConfigSource } from "../github/read-config-file.js";
import { firstLine, parseRepoConfig, type ParseRepoConfigOptions, type ParseRepoConfigResult } from "./repo-config.js";

/** Where the file is read: `configSourceOf(github, owner, repo)`, or a Probot context. */
export type ConfigContext = ConfigSource;

/**
 * The validated repository config, or every problem with it. Invalid YAML is
 * a problem of the file, reported like the others; a failing GitHub request
 * is not, and is rethrown.
 */
export async function loadRepoConfig(context: ConfigContext, options: ParseRepoConfigOptions = {}): Promise<ParseRepoConfigResult> {
  let raw: unknown;
  try {
    raw = await context.config<Record<string, unknown>>("dynflow.yml");
  } catch (error) {
    if (error instanceof ExtendsNotFoundError) return { ok: false, errors: [{ path: "_extends", message: error.message }] };
    if (isHttpError(error)) throw error;
    return { ok: false, errors: [{ path: "", message: unreadableMessage(error) }] };
  }
  return parseRepoConfig(raw, options);
}

/** Octokit's request errors carry the HTTP status (network failures included). */
function isHttpError(error: unknown): boolean {
  return typeof (error as { status?: unknown } | null)?.status === "number";
}

/**
 * Probot's config plugin wraps the YAML parser's error as `cause`; its
 * message has the line and column. Anything else (a directory, a scalar, an
 * `_extends` loop) gets the general advice.
 */
function unreadableMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof YAMLError) return `is not valid YAML: ${firstLine(cause.message)}`;
  return "could not be read as settings: it must be a YAML file of key: value settings (see the configuration reference)";
}
