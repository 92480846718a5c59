import { describe, expect, it } from "vitest";
import { SINGLE_AGENT_SCRIPT, SINGLE_AGENT_SCRIPT_NAME } from "../../src/plan/single-agent-script.js";
import { runScript } from "../../src/runtime/run-script.js";
import type { RuntimeExtension } from "../../src/runtime/script-host.js";
import { validateScript } from "../../src/runtime/script/parse-script.js";
import type { JsonValue } from "../../src/runtime/types.js";
import { answeringRunner } from "../fakes/controlled-runner.js";

/** Stands in for the review extension's `converge`: records its calls and answers "accepted". */
function stubConverge(calls: JsonValue[][]): RuntimeExtension {
  return {
    name: "stub",
    prelude: `api.define("converge", (prompt, opts) => api.call("converge", prompt, opts));`,
    calls: {
      converge: async (args) => {
        calls.push(args);
        return { status: "accepted", change: null, review: null, rounds: 1 };
      },
    },
  };
}

describe("the single-agent template", () => {
  it("passes validateScript", () => {
    const checked = validateScript(SINGLE_AGENT_SCRIPT, "plan.js");
    expect(checked.ok).toBe(true);
    if (checked.ok) {
      expect(checked.meta.name).toBe(SINGLE_AGENT_SCRIPT_NAME);
      expect(checked.meta.phases).toEqual([{ title: "Work and review" }]);
    }
  });

  it("sends the task from args to one converge call, labelled by its first line", async () => {
    const calls: JsonValue[][] = [];
    const task = "Make fetchJson retry on 503\n\nDetails: use exponential backoff.";
    const outcome = await runScript({
      runId: "r1",
      source: SINGLE_AGENT_SCRIPT,
      args: { task },
      baseRevision: "base",
      runner: answeringRunner(() => "unused"),
      extensions: [stubConverge(calls)],
    });
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe("ok");
    expect(calls).toEqual([[task, { label: "Make fetchJson retry on 503" }]]);
    expect(outcome.result).toMatchObject({ status: "accepted", rounds: 1 });
    expect(outcome.logs.join("\n")).toContain("Make fetchJson retry on 503: accepted after 1 round(s)");
  });

  it("also takes the task as a raw string, as a saved workflow gets it", async () => {
    const calls: JsonValue[][] = [];
    const outcome = await runScript({
      runId: "r2",
      source: SINGLE_AGENT_SCRIPT,
      args: "tidy the README",
      baseRevision: "base",
      runner: answeringRunner(() => "unused"),
      extensions: [stubConverge(calls)],
    });
    expect(outcome.status).toBe("ok");
    expect(calls).toEqual([["tidy the README", { label: "tidy the README" }]]);
  });
});
