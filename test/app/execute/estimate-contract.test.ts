import { describe, expect, it } from "vitest";
import { estimateContractOf } from "../../../src/app/execute/estimate-contract.js";
import type { StoredPlan } from "../../../src/app/run-record/stored-plan.js";
import { DEFAULT_REPO_CONFIG } from "../../../src/config/repo-config.js";
import type { PlanEstimate } from "../../../src/simulate/estimate-plan.js";

const estimate = { status: "ok", agents: 3, costUsd: 0.5 } as PlanEstimate;
const small: StoredPlan = { stopAfterPlan: false, estimate, approval: { required: false } };

describe("estimateContractOf", () => {
  it("holds a run admitted without approval to its estimate, by approvalOverrun", () => {
    expect(estimateContractOf({ kind: "task" }, small, DEFAULT_REPO_CONFIG)).toEqual({ factor: 2, estimatedAgents: 3, estimatedUsd: 0.5 });
    expect(estimateContractOf({ kind: "workflow" }, small, { ...DEFAULT_REPO_CONFIG, approvalOverrun: 3 })).toMatchObject({ factor: 3 });
  });

  it("leaves approved, resumed, audit and always/never runs free, and runs without a usable estimate", () => {
    expect(estimateContractOf({ kind: "task" }, { ...small, approvedBy: "octocat" }, DEFAULT_REPO_CONFIG)).toBeNull();
    expect(estimateContractOf({ kind: "task" }, { ...small, approval: { required: true, reasons: [] } }, DEFAULT_REPO_CONFIG)).toBeNull();
    expect(estimateContractOf({ kind: "audit" }, small, DEFAULT_REPO_CONFIG)).toBeNull();
    expect(estimateContractOf({ kind: "task" }, small, { ...DEFAULT_REPO_CONFIG, approval: "never" })).toBeNull();
    expect(estimateContractOf({ kind: "task" }, { ...small, estimate: { ...estimate, status: "error" } }, DEFAULT_REPO_CONFIG)).toBeNull();
  });
});
