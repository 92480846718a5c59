/**
 * The environment every git process of dynflow runs with, and the scrubbing of
 * secrets from anything git prints. A token travels only in the environment
 * (`GIT_CONFIG_COUNT`/`KEY`/`VALUE` setting `http.extraHeader`), never in a URL
 * or an argument, so it cannot leak through `ps`, `.git/config` or an error.
 *
 * Git gets an allowlisted environment: what it needs to run (PATH, HOME,
 * locale, temp dir), the commit identity, the operator's git config and proxy
 * and TLS settings. Nothing else of the process's environment reaches it, so
 * the model API key, the App's private key, the webhook secret or a database
 * URL never enter a child process (nor anything a git hook could read).
 */
import { InvalidRemoteUrlError } from "./errors.js";

/** Variables git may see, by exact name. */
const ALLOWED = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TMP",
  "TEMP",
  "XDG_CONFIG_HOME",
  "SYSTEMROOT",
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "GIT_COMMITTER_DATE",
  "GIT_CONFIG_NOSYSTEM",
  "GIT_CONFIG_GLOBAL",
  "GIT_CONFIG_SYSTEM",
  "GIT_EXEC_PATH",
  "GIT_SSL_CAINFO",
  "GIT_SSL_CAPATH",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
]);

/** Whether git may see the variable `name` (locale categories `LC_*` included). */
export function isGitVariable(name: string): boolean {
  return ALLOWED.has(name) || name.startsWith("LC_");
}

/** The `Authorization` header GitHub accepts for an installation token over HTTPS. */
export function authorizationHeader(token: string): string {
  return `Authorization: ${basicAuthorization(token)}`;
}

/** That header's value. */
export function basicAuthorization(token: string): string {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
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
 * Builds a child environment from `base`: keeps only the allowlisted
 * variables (see `isGitVariable`), disables prompts, and adds the token
 * header and any `config` settings (`GIT_CONFIG_COUNT`/`KEY`/`VALUE`).
 */
export function gitEnvironment(
  base: NodeJS.ProcessEnv,
  options: { gitDir?: string; token?: string; config?: Record<string, string>; extra?: Record<string, string> } = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Only the allowed values are read: each read of `process.env` asks the C library.
  for (const key of Object.keys(base)) if (isGitVariable(key)) env[key] = base[key];
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_FLUSH = "1";
  if (options.gitDir) env.GIT_DIR = options.gitDir;
  // Settings for this git alone, through the environment (they take precedence over configuration files): the token first.
  const config = Object.entries({ ...(options.token ? { "http.extraHeader": authorizationHeader(options.token) } : {}), ...options.config });
  if (config.length > 0) {
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
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
