/**
 * The environment every git process of dynflow runs with, and the scrubbing of
 * secrets from anything git prints. A token travels only in the environment
 * (`GIT_CONFIG_COUNT`/`KEY`/`VALUE` setting `http.extraHeader`), never in a URL
 * or an argument, so it cannot leak through `ps`, `.git/config` or an error.
 */
import { InvalidRemoteUrlError } from "./errors.js";

/** Variables that would redirect git or make it print secrets. */
const DROPPED = /^(GIT_DIR|GIT_WORK_TREE|GIT_INDEX_FILE|GIT_OBJECT_DIRECTORY|GIT_ALTERNATE_OBJECT_DIRECTORIES|GIT_NAMESPACE|GIT_CEILING_DIRECTORIES|GIT_CONFIG_COUNT|GIT_CONFIG_KEY_\d+|GIT_CONFIG_VALUE_\d+|GIT_CONFIG_PARAMETERS|GIT_TRACE\w*|GIT_CURL_VERBOSE|GIT_ASKPASS|SSH_ASKPASS|GIT_EXTERNAL_DIFF)$/;

/** The `Authorization` header GitHub accepts for an installation token over HTTPS. */
export function authorizationHeader(token: string): string {
  return `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
}

/** Every form in which a token could appear in text: raw and encoded. */
export function secretForms(token: string | undefined): string[] {
  if (!token) return [];
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return [token, basic, encodeURIComponent(token)].filter((s, i, all) => s.length > 0 && all.indexOf(s) === i);
}

/** Replaces every secret in `text` with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

/**
 * Builds a child environment from `base`: drops variables that would redirect
 * git or trace HTTP headers, disables prompts, and adds the token header.
 */
export function gitEnvironment(
  base: NodeJS.ProcessEnv,
  options: { gitDir?: string; token?: string; extra?: Record<string, string> } = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) if (!DROPPED.test(key)) env[key] = value;
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_FLUSH = "1";
  if (options.gitDir) env.GIT_DIR = options.gitDir;
  if (options.token) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraHeader";
    env.GIT_CONFIG_VALUE_0 = authorizationHeader(options.token);
  }
  return { ...env, ...options.extra };
}

/**
 * Refuses remote URLs that carry credentials or could be read as an option.
 * Returns the URL unchanged when it is acceptable.
 */
export function checkRemoteUrl(url: string): string {
  if (/^https?:\/\/[^/@]*@/i.test(url)) throw new InvalidRemoteUrlError("it contains credentials; pass the token separately");
  if (url.startsWith("-") || /[\s\0]/.test(url)) throw new InvalidRemoteUrlError(`${JSON.stringify(url)} starts with "-" or contains whitespace`);
  return url;
}
