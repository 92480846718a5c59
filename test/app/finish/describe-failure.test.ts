import { describe, expect, it } from "vitest";
import { ModelApiError, UnknownModelPriceError } from "../../../src/agents/model/index.js";
import { describeFailure } from "../../../src/app/finish/describe-failure.js";
import { SetupFailedError } from "../../../src/command-sandbox/index.js";
import { ModelNotConfiguredError } from "../../../src/app/errors.js";
import { InstallationTokenError } from "../../../src/github/errors.js";
import { PlanFailedError } from "../../../src/plan/errors.js";
import { ZERO_USAGE } from "../../../src/runtime/types.js";
import { GitCommandError, PushRejectedError } from "../../../src/workspace/errors.js";

const run = { runId: "r-42" };

describe("describeFailure", () => {
  it("shows a failed setup command with the end of its output in a code block, and how to go on", () => {
    const output = `${"x".repeat(5000)}\nnpm ERR! code ENOLOCK\nnpm ERR! \`npm ci\` needs a package-lock.json\n`;
    const failure = describeFailure(new SetupFailedError("npm ci", 1, output), { runId: "r1" });
    expect(failure.code).toBe("setup_failed");
    expect(failure.message).toContain("The setup command `npm ci` failed (exit code 1) before any agent started");
    expect(failure.message).toContain("npm ERR! code ENOLOCK");
    expect(failure.message).toContain("```\n…");
    expect(failure.message.length).toBeLessThan(3500);
    expect(failure.message).toContain("/dynflow resume r1");
  });

  it("passes on the model client's words for a model API failure, and how to resume when waiting helps", () => {
    const error = new ModelApiError("the model API was overloaded (529) after 5 attempts; the run keeps finished work — resume it later", {
      status: 529,
      type: "overloaded_error",
      requestId: "req_1",
      attempts: 5,
      retryable: true,
    });
    expect(describeFailure(error, run)).toEqual({
      code: "model_api_error",
      message:
        "The model API was overloaded (529) after 5 attempts; the run keeps finished work — resume it later. To resume, comment `/dynflow resume r-42` (finished agents are not paid for twice).",
    });
  });

  it("does not promise that a permanent model API failure passes", () => {
    const error = new ModelApiError("invalid x-api-key", { status: 401, type: "authentication_error", requestId: null, attempts: 1, retryable: false });
    expect(describeFailure(error, run).message).not.toContain("resume");
  });

  it("passes on the planner's own advice and the price table's", () => {
    const plan = new PlanFailedError({ attempts: 3, errors: ["line 4: agent is not defined"], usage: ZERO_USAGE, costUsd: 0 });
    expect(describeFailure(plan, run).code).toBe("plan_failed");
    expect(describeFailure(plan, run).message).toContain("save a script as .claude/workflows/&lt;name&gt;.js");
    expect(describeFailure(new UnknownModelPriceError("my-model", ["claude-opus-5-5"]), run).message).toContain("No price for model");
  });

  it("points at the installation when there is no token, and at branch protection when a push is refused", () => {
    expect(describeFailure(new InstallationTokenError("GitHub answered 404: Not Found", 404), run).message).toContain("Check that the app is still installed");
    const rejected = new PushRejectedError([{ source: "refs/heads/dynflow/r-42", destination: "refs/heads/dynflow/r-42", status: "rejected", summary: "[remote rejected] (protected branch hook declined)" }]);
    expect(describeFailure(rejected, run).message).toContain("A branch protection rule on `dynflow/*` can cause this");
  });

  it("escapes git's words", () => {
    const error = new GitCommandError(["fetch"], 128, "fatal: unable to access <https://ghe/>: @admin look");
    const message = describeFailure(error, run).message;
    expect(message).not.toContain("<https");
    expect(message).not.toContain("@admin");
  });

  it("tells GitHub's server errors from permission errors, naming the request without its query", () => {
    const serverError = Object.assign(new Error("Bad Gateway"), { status: 502, request: { method: "POST", url: "https://api.github.com/repos/acme/widgets/pulls?x=1" } });
    expect(describeFailure(serverError, run)).toEqual({
      code: "github_error",
      message: "GitHub answered 502 to `POST /repos/acme/widgets/pulls` even after retries. GitHub seems to be having trouble; comment `/dynflow resume r-42` in a while.",
    });
    const forbidden = Object.assign(new Error("Resource not accessible by integration"), { status: 403 });
    expect(describeFailure(forbidden, run).message).toContain("The app may lack a permission it needs");
  });

  it("never echoes an unknown error's text, and without a run says to comment again", () => {
    const failure = describeFailure(new TypeError("secret-ish details"));
    expect(failure.code).toBe("internal_error");
    expect(failure.message).not.toContain("secret-ish");
    expect(failure.message).toContain("comment the command again");
    expect(describeFailure(new ModelNotConfiguredError(), run).message).toContain("ANTHROPIC\\_API\\_KEY is not set");
  });
});
