/**
 * The label an agent is shown under (status comment, report, events) when
 * the script gives none: the first line of its prompt, cut to fit a table
 * cell. One rule for the scheduler and the review ledger, so a line of work
 * and its agents are named alike.
 */

/** Longest default label, in characters. */
export const AGENT_LABEL_LENGTH = 60;

/** The first line of `prompt`, cut to `AGENT_LABEL_LENGTH` with an ellipsis. */
export function defaultAgentLabel(prompt: string): string {
  const firstLine = prompt.trim().split("\n", 1)[0] ?? "";
  return firstLine.length > AGENT_LABEL_LENGTH ? `${firstLine.slice(0, AGENT_LABEL_LENGTH - 1)}…` : firstLine;
}
