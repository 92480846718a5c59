import { describe, expect, it } from "vitest";
import { pullRequestTitle } from "../../../src/app/finish/pull-request-title.js";

const run = (fields: Partial<{ task: string | null; workflow: string | null; args: unknown }>) => ({ id: "r-1", task: null, workflow: null, args: {}, ...fields }) as Parameters<typeof pullRequestTitle>[0];

describe("pullRequestTitle", () => {
  it("carries the task of a bundled workflow from its args", () => {
    expect(pullRequestTitle(run({ workflow: "migrate", args: { task: "move every fetchJson caller to client.get", by: "module" } }), "migrate")).toBe(
      "dynflow: migrate — move every fetchJson caller to client.get",
    );
    expect(pullRequestTitle(run({ workflow: "audit", args: "missing auth checks" }), "audit")).toBe("dynflow: audit — missing auth checks");
  });

  it("uses the task of a planned run, and the name alone when args say nothing", () => {
    expect(pullRequestTitle(run({ task: "migrate all callers\nmore detail" }), null)).toBe("dynflow: migrate all callers");
    expect(pullRequestTitle(run({ workflow: "migrate-fetch", args: {} }), "migrate-fetch")).toBe("dynflow: migrate-fetch");
  });
});
