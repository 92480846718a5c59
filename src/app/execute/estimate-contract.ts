/**
 * The estimate as a contract. A run that started without approval because
 * its estimate was under the repository's thresholds may not outgrow that
 * estimate by more than `approvalOverrun` times its agents or dollars: past
 * that it stops and asks for approval (see pause-for-approval.ts). Pure.
 */
import type { RepoConfig } from "../../config/repo-config.js";
import type { EstimateContract } from "../../runtime/types.js";
import type { RunRecord } from "../../store/index.js";
import type { StoredPlan } from "../run-record/stored-plan.js";

/** Default of `approvalOverrun` for records stored before it existed. */
const DEFAULT_OVERRUN = 2;

/**
 * The contract run `run` executes under, or null when it has none: it was
 * approved by someone, the repository asks for approval always or never, it
 * is an audit (whose config sets its budget), or it has no usable estimate.
 */
export function estimateContractOf(run: Pick<RunRecord, "kind">, plan: StoredPlan, config: RepoConfig): EstimateContract | null {
  if (run.kind === "audit") return null;
  if (typeof config.approval !== "object") return null;
  if (plan.approvedBy !== undefined || plan.approval?.required !== false) return null;
  const estimate = plan.estimate;
  if (estimate === undefined || estimate.status === "error") return null;
  return { factor: config.approvalOverrun ?? DEFAULT_OVERRUN, estimatedAgents: estimate.agents, estimatedUsd: estimate.costUsd };
}
