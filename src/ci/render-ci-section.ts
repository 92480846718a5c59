/**
 * The CI section of the status comment, the check run summary and the pull
 * request body: every round so far and where the wait is now. It sits at the
 * end of each body after a marker, so it is replaced, never appended twice.
 * Pure.
 */
import { codeSpan } from "../report/escape-markdown.js";
import type { CiWaitState } from "../store/index.js";
import type { CiRound } from "./types.js";

/** Starts the CI section in a body; everything after it is the section. */
export const CI_SECTION_MARKER = "<!-- dynflow:ci -->";

export interface CiSectionInput {
  state: CiWaitState;
  /** Repair rounds done so far (the round of the commit checked now). */
  round: number;
  repairRounds: number;
  headSha: string;
  history: readonly CiRound[];
  /** What is happening now when waiting (e.g. "repairing round 2"). */
  now?: string;
}

export function renderCiSection(input: CiSectionInput): string {
  const lines = [CI_SECTION_MARKER, "### CI", "", statusLine(input)];
  if (input.history.length > 0) {
    lines.push("", "| round | commit | result |", "|---|---|---|");
    for (const round of input.history) lines.push(`| ${round.round} | ${codeSpan(short(round.headSha), { table: true })} | ${outcomeText(round)} |`);
  }
  return lines.join("\n");
}

/** `body` with its CI section replaced by `section` (added when it had none), within `limit` characters. */
export function withCiSection(body: string, section: string, limit: number): string {
  const at = body.indexOf(CI_SECTION_MARKER);
  const before = (at === -1 ? body : body.slice(0, at)).trimEnd();
  const room = limit - section.length - 2;
  if (room <= 0) return section.slice(0, limit);
  const kept = before.length > room ? `${before.slice(0, Math.max(0, room - 2))}…` : before;
  return `${kept}\n\n${section}`;
}

function statusLine(input: CiSectionInput): string {
  const sha = codeSpan(short(input.headSha));
  const rounds = `repair round ${input.round} of ${input.repairRounds}`;
  switch (input.state) {
    case "waiting":
      return input.now !== undefined ? `⏳ ${input.now}` : `⏳ Waiting for CI on ${sha} (${rounds}).`;
    case "passed":
      return `✅ CI passed on ${sha}${input.round > 0 ? ` after ${input.round} repair round${input.round === 1 ? "" : "s"}` : ""}.`;
    case "failed": {
      const last = input.history.at(-1);
      const why = last?.outcome === "repair-failed" ? ` ${last.note ?? "The repair changed nothing."}` : input.round >= input.repairRounds ? ` No repair rounds left (${input.repairRounds} allowed); the pull request stays a draft.` : "";
      return `❌ CI failed on ${sha}${failingText(last)}.${why}`;
    }
    case "timed-out":
      return `⌛ CI did not finish on ${sha} in time (${rounds}); the pull request stays a draft.`;
    case "cancelled": {
      const last = input.history.at(-1);
      const why = last?.outcome === "cancelled" && last.note !== undefined ? last.note : "the wait was cancelled; the pull request stays a draft.";
      return `⏹ No longer waiting for CI on ${sha}: ${why}`;
    }
  }
}

function outcomeText(round: CiRound): string {
  switch (round.outcome) {
    case "passed":
      return "passed";
    case "timed-out":
      return "timed out";
    case "failed":
    case "repaired":
      return `failed round ${round.round}${failingText(round)}${round.outcome === "repaired" ? " → repaired" : ""}`;
    case "repair-failed":
      return `failed round ${round.round}${failingText(round)} → repair failed`;
    case "cancelled":
      return "wait cancelled";
  }
}

function failingText(round: CiRound | undefined): string {
  if (round === undefined || round.failing.length === 0) return "";
  const names = round.failing.slice(0, 10).map((name) => codeSpan(name, { table: true }));
  const more = round.failing.length > 10 ? ` and ${round.failing.length - 10} more` : "";
  return `: ${names.join(", ")}${more}`;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
