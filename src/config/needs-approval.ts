/**
 * Whether a planned run waits for `/dynflow approve`, from the repository's
 * approval policy and the plan's estimate. Pure; the reasons go in the
 * comment that asks for approval.
 */
import type { ApprovalPolicy } from "./repo-config-schema.js";

/** The plan's projected size. */
export interface RunEstimate {
  agents: number;
  tokens: number;
  usd: number;
}

export type ApprovalDecision = { required: false } | { required: true; reasons: string[] };

/** Approval is required when the policy says `always`, or when the estimate goes above any threshold. */
export function needsApproval(policy: ApprovalPolicy, estimate: RunEstimate): ApprovalDecision {
  if (policy === "never") return { required: false };
  if (policy === "always") return { required: true, reasons: ["the repository asks for approval of every run"] };
  const reasons: string[] = [];
  if (policy.aboveAgents !== undefined && estimate.agents > policy.aboveAgents) {
    reasons.push(`about ${estimate.agents} agents, above the approval threshold of ${policy.aboveAgents}`);
  }
  if (policy.aboveTokens !== undefined && estimate.tokens > policy.aboveTokens) {
    reasons.push(`about ${estimate.tokens.toLocaleString("en-US")} tokens, above the approval threshold of ${policy.aboveTokens.toLocaleString("en-US")}`);
  }
  if (policy.aboveUsd !== undefined && estimate.usd > policy.aboveUsd) {
    reasons.push(`about $${estimate.usd.toFixed(2)}, above the approval threshold of $${policy.aboveUsd.toFixed(2)}`);
  }
  return reasons.length > 0 ? { required: true, reasons } : { required: false };
}
