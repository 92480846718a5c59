/**
 * Escaping of untrusted text (model output, labels, paths, task text) for
 * GitHub-flavoured markdown. Everything a model wrote goes through here before
 * it reaches a report, so it cannot open HTML, hide the rest of the report in a
 * comment, break a table row, start math, mention people, cross-reference
 * issues (`#123`, `owner/repo#123`, `GH-123` would put a link to the run's
 * pull request on someone else's issue), or reorder what a reader sees with
 * bidirectional-text controls and line separators.
 */

/** Bidi controls and line/paragraph separators: text that displays differently from what it is. */
const DISPLAY_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * Shows bidi controls and line separators as visible `[U+202E]` marks, so a
 * reader sees that they are there and text cannot be reordered on screen.
 * Used for plain text, code spans and code blocks alike.
 */
export function showDisplayControls(text: string): string {
  return text.replace(DISPLAY_CONTROLS, (c) => `[U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}]`);
}

/**
 * Breaks GitHub's issue autolinks (`#123`, `owner/repo#123`, `GH-123`) with a
 * zero-width space, in text GitHub renders as markdown or as a title.
 */
export function breakIssueReferences(text: string): string {
  return text.replace(/#(?=\d)/g, "#\u200b").replace(/\b(GH)-(?=\d)/gi, "$1\u200b-");
}

/** Plain text for a title: one line, no mentions, cross-references or display controls. */
export function plainTitle(text: string): string {
  return breakIssueReferences(showDisplayControls(text)).replace(/@/g, "@\u200b");
}

/** Cuts `text` to at most `max` characters (code points), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (!Number.isFinite(max) || text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/**
 * Escapes `text` for inline markdown, including table cells. Line breaks
 * become `newline` (a space by default; `<br>` keeps them visible in lists and
 * cells without ending the row).
 */
export function escapeInline(text: string, newline = " "): string {
  return (
    showDisplayControls(text)
      .replace(/\r\n?/g, "\n")
      // Control characters other than line breaks can only confuse the renderer.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
      .replace(/\t/g, " ")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/[\\`*_[\]|~$]/g, (c) => `\\${c}`)
      // A zero-width space after "#" and in "GH-" keeps "#123", "owner/repo#123" and "GH-123" from linking to an issue.
      .replace(/#(?=\d)/g, "#\u200b")
      .replace(/\b(GH)-(?=\d)/gi, "$1\u200b-")
      // A zero-width space after "@" keeps "@user" and "@org/team" from notifying anyone.
      .replace(/@/g, "@&#8203;")
      .replace(/\n+/g, newline)
  );
}

/** Escaped, bounded text for a table cell (one line). */
export function cell(text: string, max = 120): string {
  return escapeInline(truncate(text.replace(/\s+/g, " ").trim(), max));
}

/**
 * A code span for `text` (a path, a branch). Inside a table the pipe still
 * splits cells even in code, so it is escaped there (GFM renders `\|` as `|`).
 */
export function codeSpan(text: string, options: { table?: boolean } = {}): string {
  let body = showDisplayControls(text).replace(/[\r\n]+/g, " ");
  if (options.table) body = body.replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A code fence longer than any run of backticks in `text` (at least three), so `text` cannot close it. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** Text for a quoted Mermaid node label: one line, with Mermaid's entity codes for its special characters. */
export function mermaidLabel(text: string, max = 60): string {
  return truncate(text.replace(/\s+/g, " ").trim(), max).replace(/[#"<>&`]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** The URL for a markdown link, or null unless it is http(s). Parentheses are encoded so the link cannot end early. */
export function safeUrl(url: string | undefined): string | null {
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  return parsed.href.replace(/\(/g, "%28").replace(/\)/g, "%29");
}

/** A GitHub login, or null when `login` cannot be one (so it is never rendered raw). */
export function safeLogin(login: string | undefined): string | null {
  if (login === undefined) return null;
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(login) ? login : null;
}
