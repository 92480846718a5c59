/**
 * The one place `.env` is read. Precedence, highest first: a variable set
 * (non-empty) in the environment, then `.env`, then dynflow's defaults. The
 * file only fills in what the environment leaves unset, as `node --env-file`
 * and Docker do, so a value exported in a shell or set by a platform is never
 * replaced by a stale file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseEnv } from "node:util";

export interface ApplyDotEnvOptions {
  /** The file; default `.env` in the working directory. */
  path?: string;
  readFile?: (path: string) => string;
}

/**
 * Reads `.env` (when there is one) and writes the values the environment does
 * not set into `env`, in place: Probot's setup flow reads `process.env` itself.
 * Returns the names it filled in. The file is parsed by Node's own dotenv
 * parser, the one Probot uses, so both read it alike.
 */
export function applyDotEnv(env: Record<string, string | undefined>, options: ApplyDotEnvOptions = {}): string[] {
  const path = options.path ?? ".env";
  let text: string;
  try {
    text = (options.readFile ?? ((file: string) => readFileSync(file, "utf8")))(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const filled: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name]?.trim()) continue;
    env[name] = value;
    filled.push(name);
  }
  return filled;
}

/**
 * Calls `start` and then puts back every variable of `env` it changed
 * synchronously. Probot's `run()` loads `.env` over `process.env` as its first,
 * synchronous step, which would let the file win over the environment and make
 * Probot and dynflow disagree; `.env` has already been applied with
 * environment-first precedence by `applyDotEnv`, so nothing is lost. Later
 * writes (the setup flow's new credentials) are left alone.
 */
export function keepEnvironment<T>(start: () => T, env: Record<string, string | undefined> = process.env): T {
  const before = { ...env };
  const started = start();
  for (const name of new Set([...Object.keys(before), ...Object.keys(env)])) {
    if (env[name] === before[name]) continue;
    if (before[name] === undefined) delete env[name];
    else env[name] = before[name];
  }
  return started;
}

/**
 * Writes `values` into `.env` (replacing a line that sets the same name,
 * appending otherwise; every other line is kept as it is) and into `env`.
 * Given to Probot's `run()` as its `updateEnv`: Probot's own one rewrites the
 * whole file and copies every value of it over the environment, which would
 * undo the environment-first precedence while the setup flow runs.
 */
export function updateDotEnv(
  values: Record<string, string>,
  options: { path?: string; env?: Record<string, string | undefined>; readFile?: (path: string) => string; writeFile?: (path: string, text: string) => void } = {},
): Record<string, string> {
  const path = options.path ?? ".env";
  const env = options.env ?? process.env;
  let text = "";
  try {
    text = (options.readFile ?? ((file: string) => readFileSync(file, "utf8")))(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  for (const [name, value] of Object.entries(values)) {
    const line = `${name}=${value.replace(/\n/g, "\\n")}`;
    const at = lines.findIndex((existing) => new RegExp(`^\\s*(export\\s+)?${name}\\s*=`).test(existing));
    if (at >= 0) lines[at] = line;
    else lines.push(line);
    env[name] = value;
  }
  (options.writeFile ?? ((file: string, content: string) => writeFileSync(file, content)))(path, `${lines.join("\n")}\n`);
  return values;
}
