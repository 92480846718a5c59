import { describe, expect, it } from "vitest";
import { evaluateChecks } from "../../src/ci/evaluate-checks.js";
import type { CheckRunInfo } from "../../src/ci/types.js";

let ids = 0;
const run = (name: string, status: string, conclusion: string | null, extra: Partial<CheckRunInfo> = {}): CheckRunInfo => ({ kind: "check-run", id: ++ids, name, status, conclusion, appSlug: "github-actions", detailsUrl: null, title: null, ...extra });
const all = { checks: null, ignore: [] };

describe("evaluateChecks", () => {
  it("is pending with no check yet (CI may not have started) and while any counted check runs", () => {
    expect(evaluateChecks([], all, "dynflow")).toEqual({ state: "pending", waitingFor: [] });
    expect(evaluateChecks([run("build", "completed", "success"), run("test", "in_progress", null)], all, "dynflow")).toEqual({ state: "pending", waitingFor: ["test"] });
  });

  it("passes when every counted check succeeded, was neutral or skipped", () => {
    expect(evaluateChecks([run("a", "completed", "success"), run("b", "completed", "neutral"), run("c", "completed", "skipped")], all, undefined)).toEqual({ state: "passed", counted: ["a", "b", "c"] });
  });

  it("fails on any other conclusion, naming the failing checks", () => {
    for (const conclusion of ["failure", "cancelled", "timed_out", "action_required", "stale", null]) {
      const verdict = evaluateChecks([run("ok", "completed", "success"), run("bad", "completed", conclusion)], all, undefined);
      expect(verdict.state).toBe("failed");
      expect(verdict.state === "failed" && verdict.failing.map((check) => check.name)).toEqual(["bad"]);
    }
  });

  it("never counts dynflow's own check run, nor ignored checks, and only the named ones when a list is given", () => {
    const runs = [run("dynflow", "completed", "failure", { appSlug: "dynflow" }), run("codecov/patch", "completed", "failure"), run("test (20)", "completed", "success"), run("lint", "completed", "failure")];
    expect(evaluateChecks(runs, { checks: null, ignore: ["codecov/*", "lint"] }, "dynflow")).toEqual({ state: "passed", counted: ["test (20)"] });
    expect(evaluateChecks(runs, { checks: ["test (*)"], ignore: [] }, "dynflow")).toEqual({ state: "passed", counted: ["test (20)"] });
    // Named checks that have not appeared yet: pending, saying which.
    expect(evaluateChecks(runs, { checks: ["build"], ignore: [] }, "dynflow")).toEqual({ state: "pending", waitingFor: ["build"] });
  });

  it("judges the latest run of a name: a re-run that passed replaces the failed attempt", () => {
    const failed = run("test", "completed", "failure");
    const rerun = run("test", "completed", "success");
    expect(evaluateChecks([rerun, failed], all, undefined).state).toBe("passed");
  });

  it("reads commit statuses as checks named by their context: pending runs, error fails, the latest of a context counts", () => {
    const status = (name: string, state: "pending" | "success" | "failure" | "error") =>
      run(name, state === "pending" ? "in_progress" : "completed", state === "pending" ? null : state, { kind: "status", appSlug: null });
    expect(evaluateChecks([run("test", "completed", "success"), status("ci/jenkins", "pending")], all, "dynflow")).toEqual({ state: "pending", waitingFor: ["ci/jenkins"] });
    const errored = evaluateChecks([run("test", "completed", "success"), status("ci/jenkins", "error")], all, "dynflow");
    expect(errored.state === "failed" && errored.failing.map((check) => [check.kind, check.name])).toEqual([["status", "ci/jenkins"]]);
    expect(evaluateChecks([status("ci/jenkins", "failure"), status("ci/jenkins", "success")], all, "dynflow")).toEqual({ state: "passed", counted: ["ci/jenkins"] });
    // A check run and a status may share a name: both count, neither replaces the other.
    const both = evaluateChecks([status("test", "failure"), run("test", "completed", "success")], all, "dynflow");
    expect(both.state === "failed" && both.failing.map((check) => check.kind)).toEqual(["status"]);
    expect(evaluateChecks([status("ci/jenkins", "success"), status("codecov", "failure")], { checks: null, ignore: ["codecov"] }, "dynflow")).toEqual({ state: "passed", counted: ["ci/jenkins"] });
  });
});
