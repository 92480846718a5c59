import { describe, expect, it } from "vitest";
import { resumeHint } from "../../src/cli/format-run-summary.js";

describe("the resume hint", () => {
  it("is given for every status but ok", () => {
    expect(resumeHint({ status: "ok", runId: "abcd1234" }, "/r")).toBe("");
    for (const status of ["error", "capped", "budget-exhausted", "cancelled"] as const) {
      expect(resumeHint({ status, runId: "abcd1234" }, "/src/shop")).toContain("dynflow resume abcd1234 --repo /src/shop\n");
    }
  });

  it("quotes a repository path the shell would split or expand, so it can be pasted as it is", () => {
    expect(resumeHint({ status: "capped", runId: "abcd1234" }, "/home/me/my shop")).toContain("--repo '/home/me/my shop'\n");
    expect(resumeHint({ status: "capped", runId: "abcd1234" }, "/tmp/it's $HOME")).toContain(`--repo '/tmp/it'\\''s $HOME'\n`);
  });
});
