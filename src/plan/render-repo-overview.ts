/**
 * Renders the repository overview the planner model reads: a bounded text
 * (hard cap on characters) built from the file list, the modules and a
 * README excerpt. Pure; `buildRepoOverview` gathers the inputs.
 */
import type { RepoModule } from "./detect-modules.js";
import { fenceUntrusted, printable } from "./fence-untrusted.js";

export interface OverviewInput {
  /** Tracked files at the commit, sorted. */
  files: readonly string[];
  modules: readonly RepoModule[];
  /** Where the modules came from, said in the overview. */
  modulesSource: "config" | "detected";
  /** What the detected modules leave out, said after them; null or absent when nothing. */
  uncovered?: string | null;
  readme: { path: string; text: string } | null;
  /** Hard cap on the overview's length. Default 12,000. */
  maxChars?: number;
  /** Characters of the README to include. Default 2,000. */
  readmeChars?: number;
}

export const DEFAULT_OVERVIEW_CHARS = 12_000;
export const DEFAULT_README_CHARS = 2_000;

/** Per-section budgets, so one huge section (thousands of directories) cannot crowd out the others. */
const BUDGET = { languages: 1_000, directories: 3_500, modules: 3_000 };
/** Longest path shown; deeper names are cut with an ellipsis. */
const MAX_PATH = 120;
const NUMBER = new Intl.NumberFormat("en-US");

/** Returns the overview text; never longer than `maxChars`. */
export function renderRepoOverview(input: OverviewInput): string {
  const maxChars = input.maxChars ?? DEFAULT_OVERVIEW_CHARS;
  const sections = [
    `Tracked files: ${NUMBER.format(input.files.length)}`,
    languageSection(input.files),
    directorySection(input.files),
    moduleSection(input.modules, input.modulesSource, input.uncovered ?? null),
    readmeSection(input.readme, input.readmeChars ?? DEFAULT_README_CHARS),
  ];
  const text = sections.join("\n\n");
  if (text.length <= maxChars) return text;
  // The budgets keep this rare (a tiny maxChars); cut rather than exceed the cap.
  const marker = `\n[overview cut at ${NUMBER.format(maxChars)} characters]`;
  return maxChars > marker.length ? text.slice(0, maxChars - marker.length) + marker : text.slice(0, maxChars);
}

function languageSection(files: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const file of files) {
    const ext = extensionOf(file);
    counts.set(ext, (counts.get(ext) ?? 0) + 1);
  }
  const lines = largestFirst(counts).map(([ext, count]) => `  ${ext} ${NUMBER.format(count)}`);
  return `Languages by file extension (files):\n${fitLines(lines, BUDGET.languages)}`;
}

function directorySection(files: readonly string[]): string {
  const counts = new Map<string, number>();
  let atRoot = 0;
  for (const file of files) {
    const parts = file.split("/");
    if (parts.length === 1) atRoot += 1;
    // Depth 1 and 2: enough to see the shape without listing the whole tree.
    for (let depth = 1; depth <= Math.min(2, parts.length - 1); depth++) {
      const dir = `${parts.slice(0, depth).join("/")}/`;
      counts.set(dir, (counts.get(dir) ?? 0) + 1);
    }
  }
  const lines = largestFirst(counts).map(([dir, count]) => `  ${shortPath(dir)} ${NUMBER.format(count)}`);
  if (atRoot > 0) lines.push(`  (files at the root) ${NUMBER.format(atRoot)}`);
  return `Directories (depth 1-2) by files below them, largest first:\n${fitLines(lines, BUDGET.directories)}`;
}

function moduleSection(modules: readonly RepoModule[], source: OverviewInput["modulesSource"], uncovered: string | null): string {
  const title = source === "config" ? "Modules (from the repository config)" : "Modules (detected from the file list)";
  const left = uncovered ? `\nNot covered: ${uncovered}.` : "";
  if (modules.length === 0) return `${title}: none${left}`;
  const lines = modules.map(
    (m) => `  ${shortPath(m.name)}: ${NUMBER.format(m.files)} file${m.files === 1 ? "" : "s"} (${m.globs.map(shortPath).join(", ")})`,
  );
  return `${title}, ${modules.length} in all:\n${fitLines(lines, BUDGET.modules)}${left}`;
}

function readmeSection(readme: OverviewInput["readme"], chars: number): string {
  if (readme === null) return "README: none at the repository root";
  const excerpt = readme.text.slice(0, chars);
  const total = readme.text.length;
  const cut = total > chars ? `first ${NUMBER.format(chars)} of ${NUMBER.format(total)} characters` : "complete";
  return `${shortPath(readme.path)} (${cut}):\n${fenceUntrusted("readme", excerpt)}`;
}

/** Keeps whole lines up to `budget` characters and says how many were left out. */
function fitLines(lines: readonly string[], budget: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget - 40) break;
    kept.push(line);
    used += line.length + 1;
  }
  if (kept.length < lines.length) kept.push(`  ... ${NUMBER.format(lines.length - kept.length)} more not shown`);
  return kept.join("\n");
}

function largestFirst(counts: Map<string, number>): [string, number][] {
  return [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
}

function extensionOf(file: string): string {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  // A leading dot is a hidden file's name (`.gitignore`), not an extension.
  if (dot <= 0 || dot === base.length - 1) return "(no extension)";
  return printable(base.slice(dot).toLowerCase()).slice(0, 16);
}

function shortPath(path: string): string {
  const clean = printable(path);
  return clean.length > MAX_PATH ? `${clean.slice(0, MAX_PATH - 1)}…` : clean;
}
