/**
 * The decision rule of `refute()`: how the votes of independent refuters
 * become one verdict. Pure.
 */
import type { RefutationVote, Verdict } from "../agents/types.js";

/** The verdict of a set of votes and the evidence behind it. */
export interface ReviewDecision {
  verdict: Verdict;
  evidence: string;
}

/**
 * - any `refuted` vote → `refuted`: one concrete refutation with evidence is
 *   enough, however many others upheld the claim;
 * - else `upheld` when at least half of the refuters (rounded up) upheld it;
 * - else `unverified`.
 *
 * `unverified` votes (refuters that could not run) never count as upheld or
 * as refuted; they only count in the number of refuters, so too few
 * successful refuters leave the claim unverified. No votes → `unverified`.
 */
export function decideReview(votes: readonly Pick<RefutationVote, "verdict" | "evidence">[]): ReviewDecision {
  const of = (verdict: Verdict) => votes.filter((vote) => vote.verdict === verdict);
  const refuted = of("refuted");
  if (refuted.length > 0) return { verdict: "refuted", evidence: joinEvidence(refuted) };
  const upheld = of("upheld");
  if (votes.length > 0 && upheld.length >= Math.ceil(votes.length / 2)) return { verdict: "upheld", evidence: joinEvidence(upheld) };
  if (votes.length === 0) return { verdict: "unverified", evidence: "no refuter ran" };
  return {
    verdict: "unverified",
    evidence: `${upheld.length} of ${votes.length} refuters upheld the claim; the others could not run: ${joinEvidence(of("unverified"))}`,
  };
}

/** One vote's evidence as is; several numbered (identical texts once), so each can be traced. */
function joinEvidence(votes: readonly Pick<RefutationVote, "evidence">[]): string {
  const texts = [...new Set(votes.map((vote) => vote.evidence.trim() || "(no evidence given)"))];
  if (texts.length === 1) return texts[0] as string;
  return texts.map((text, i) => `${i + 1}. ${text}`).join("\n");
}
