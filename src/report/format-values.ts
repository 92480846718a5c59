/**
 * Locale-independent number formatting for reports, so a report renders the
 * same on every machine.
 */

/** 1234567 → "1,234,567". */
export function groupDigits(n: number): string {
  const sign = n < 0 ? "-" : "";
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Compact token count: 950, 12.3k, 1.23M. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

/** Dollars with cents; amounts under a cent show as "<$0.01" rather than "$0.00". */
export function formatUsd(n: number): string {
  if (n > 0 && n < 0.01) return "<$0.01";
  const [whole, cents] = n.toFixed(2).split(".");
  return `$${groupDigits(Number(whole))}.${cents}`;
}

/** 850 ms, 12 s, 4m 12s, 1h 02m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** "1 worker", "2 workers". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${groupDigits(n)} ${n === 1 ? singular : pluralForm}`;
}
