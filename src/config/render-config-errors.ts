/**
 * The comment dynflow posts instead of starting a run when
 * `.github/dynflow.yml` is invalid: every problem, one per line, with the
 * setting's path, so one edit can fix them all.
 */
import { codeSpan, escapeInline, truncate } from "../report/escape-markdown.js";
import type { ConfigError } from "./config-errors.js";

/** Path of the repository config file, as users see it. */
export const REPO_CONFIG_PATH = ".github/dynflow.yml";

/** At most this many problems are listed; a file with more is counted, not dumped. */
const MAX_LISTED = 50;

/** Markdown for the comment. Messages may quote the file's (untrusted) content, so they are escaped. */
export function renderConfigErrors(errors: readonly ConfigError[], options: { docsUrl?: string } = {}): string {
  const count = errors.length === 1 ? "1 problem" : `${errors.length} problems`;
  const lines = errors.slice(0, MAX_LISTED).map((error) => {
    const where = error.path === "" ? "the file" : codeSpan(error.path);
    return `- ${where} ${escapeInline(truncate(error.message, 300))}`;
  });
  if (errors.length > MAX_LISTED) lines.push(`- … and ${errors.length - MAX_LISTED} more`);
  const docs = options.docsUrl ? ` See [the configuration reference](${options.docsUrl}).` : "";
  return [
    `**dynflow did not start:** \`${REPO_CONFIG_PATH}\` has ${count}.`,
    "",
    ...lines,
    "",
    `Fix the file on the default branch and comment the command again.${docs}`,
  ].join("\n");
}
