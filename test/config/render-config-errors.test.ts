import { describe, expect, it } from "vitest";
import { renderConfigErrors } from "../../src/config/render-config-errors.js";

describe("renderConfigErrors", () => {
  it("lists every problem under a headline that counts them", () => {
    const body = renderConfigErrors([
      { path: "caps.maxConcurrency", message: "must be a whole number from 1 to 256 (got 300)" },
      { path: "", message: "is not valid YAML: bad indentation at line 3, column 2" },
    ]);
    expect(body).toMatchInlineSnapshot(`
      "**dynflow did not start:** \`.github/dynflow.yml\` has 2 problems.

      - \`caps.maxConcurrency\` must be a whole number from 1 to 256 (got 300)
      - the file is not valid YAML: bad indentation at line 3, column 2

      Fix the file on the default branch and comment the command again."
    `);
  });

  it("says 1 problem, and links the docs when given", () => {
    const body = renderConfigErrors([{ path: "rounds", message: "must be a whole number from 1 to 10 (got 11)" }], {
      docsUrl: "https://example.com/docs/config.md",
    });
    expect(body).toContain("has 1 problem.");
    expect(body).toContain("[the configuration reference](https://example.com/docs/config.md)");
  });

  it("escapes what the file said, so it cannot mention people or inject markup", () => {
    const body = renderConfigErrors([{ path: "audits[0].workflow`x", message: 'must be a name (got "@everyone <img src=x>")' }]);
    expect(body).not.toContain("@everyone");
    expect(body).not.toContain("<img");
    expect(body).toContain("``audits[0].workflow`x``");
  });

  it("caps a very long list", () => {
    const errors = Array.from({ length: 60 }, (_, index) => ({ path: `prices.m${index}`, message: "is not valid" }));
    const body = renderConfigErrors(errors);
    expect(body).toContain("has 60 problems.");
    expect(body).toContain("`prices.m49`");
    expect(body).not.toContain("`prices.m50`");
    expect(body).toContain("… and 10 more");
  });
});
