/** HTML building blocks of the dashboard: everything from a run is escaped here. */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an element or a quoted attribute. */
export function esc(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Dollars with cents, or four decimals below a dollar. */
export function usd(value: number): string {
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
}

/** A duration in words: `850 ms`, `12 s`, `3 min 4 s`, `2 h 5 min`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A millisecond time as UTC, to the second. */
export function when(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/**
 * A unified diff with each line marked (file header, hunk, added, removed), so
 * the page shows it as a diff.
 */
export function renderDiff(diff: string): string {
  const lines = diff.split("\n").map((line) => {
    const cls = line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff ") ? "f" : line.startsWith("@@") ? "h" : line.startsWith("+") ? "a" : line.startsWith("-") ? "d" : "";
    return cls ? `<span class=${cls}>${esc(line)}</span>` : esc(line);
  });
  return `<pre class=diff>${lines.join("\n")}</pre>`;
}

/** Text that may hold diff blocks (a refuter's first message): diff-looking lines are marked, the rest is plain. */
export function renderTextWithDiffs(text: string): string {
  if (!/^(@@ |diff --git )/m.test(text)) return `<pre>${esc(text)}</pre>`;
  return renderDiff(text);
}
