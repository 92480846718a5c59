import { describe, expect, it } from "vitest";
import { describeRunFailure } from "../../src/cli/describe-run-failure.js";
import { InvalidLocalConfigError } from "../../src/cli/read-local-config.js";
import { PlanFailedError } from "../../src/plan/errors.js";

describe("a run's failure in the command line's words", () => {
  it("gives a failed plan the command line's advice and what planning spent", () => {
    const usage = { input: 10, output: 5, cacheWrite: 0, cacheRead: 0 };
    const failure = describeRunFailure(new PlanFailedError({ attempts: 2, errors: ["no script"], usage, costUsd: 0.25 }));
    expect(failure).toMatchObject({ code: "plan_failed", usage, costUsd: 0.25 });
    expect(failure.message).toContain("dynflow run --repo <path> --script <file.js>");
    expect(failure.message).not.toContain("/dynflow run");
  });

  it("keeps dynflow's own errors as they are, and calls anything else internal", () => {
    expect(describeRunFailure(new InvalidLocalConfigError(["refuters must be a number"]))).toEqual({
      code: "invalid_repo_config",
      message: expect.stringContaining("refuters must be a number"),
      costUsd: 0,
    });
    expect(describeRunFailure(new TypeError("x is undefined"))).toEqual({ code: "internal", message: "x is undefined", costUsd: 0 });
  });
});
