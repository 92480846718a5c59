/**
 * A `git` on PATH that records the environment of every git process dynflow
 * starts, then runs the real git. Tests scan the records for secrets: the
 * only way to see what a child process really received.
 */
import { execFileSync } from "node:child_process";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeDir, tempDir } from "../workspace/git-fixture.js";

export interface GitRecorder {
  /** Put first on PATH. */
  binDir: string;
  /** Every recorded environment, one per git process, in start order. */
  environments(): Promise<Record<string, string>[]>;
  close(): Promise<void>;
}

const RECORD_END = "\u001e";

/** Installs the recording `git` in a fresh directory. */
export async function startGitRecorder(): Promise<GitRecorder> {
  const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  const binDir = await tempDir("dynflow-git-recorder-");
  const log = join(binDir, "environments.log");
  await writeFile(log, "");
  // The log's path is baked in: the recorded process may see no variable that names it.
  const script = `#!/bin/sh\n{ env -0; printf '${RECORD_END}'; } >> '${log}'\nexec '${realGit}' "$@"\n`;
  await writeFile(join(binDir, "git"), script);
  await chmod(join(binDir, "git"), 0o755);
  return {
    binDir,
    async environments() {
      const text = await readFile(log, "utf8");
      return text
        .split(RECORD_END)
        .filter((record) => record.length > 0)
        .map((record) => {
          const env: Record<string, string> = {};
          for (const entry of record.split("\0")) {
            const eq = entry.indexOf("=");
            if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
          }
          return env;
        });
    },
    close: () => removeDir(binDir),
  };
}

/** Secrets a deployment has in its environment, as recognisable canary values. */
export const CANARY_SECRETS: Readonly<Record<string, string>> = Object.freeze({
  ANTHROPIC_API_KEY: "sk-ant-canary-0a9f3e7c1b",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----canary-5d2e8b41-----END RSA PRIVATE KEY-----",
  WEBHOOK_SECRET: "whsec-canary-7c41d09e",
  DATABASE_URL: "postgres://dynflow:canary-pw-83b1f2@127.0.0.1:5432/dynflow",
  REDIS_URL: "redis://:canary-redis-4e6a@127.0.0.1:6379",
  GITHUB_CLIENT_SECRET: "ghcs-canary-1f7b5a92",
  DYNFLOW_DASHBOARD_SECRET: "dash-canary-6b3d0c58",
  DYNFLOW_SESSION_SECRET: "session-canary-2f9e4d71a0c35b86e1d7",
});

/** Every place a canary value occurs in `text`, by variable name. */
export function canariesIn(text: string): string[] {
  return Object.entries(CANARY_SECRETS)
    .filter(([, value]) => text.includes(value) || text.includes(value.slice(0, 20)))
    .map(([name]) => name);
}
