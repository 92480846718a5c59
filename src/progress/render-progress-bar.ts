/**
 * A text progress bar that renders the same in a comment, a check run and a
 * terminal.
 */

/** `▓▓▓▓░░░░`: `done` of `total` in `width` cells. Full only when everything is done. */
export function renderProgressBar(done: number, total: number, width = 20): string {
  const cells = Math.max(1, Math.floor(width));
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  // Rounding down keeps 99% from looking finished.
  const filled = Math.floor(ratio * cells);
  return "▓".repeat(filled) + "░".repeat(cells - filled);
}

/** Whole percent, rounded down (so 100% means finished). */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.floor(Math.min(1, Math.max(0, done / total)) * 100);
}
