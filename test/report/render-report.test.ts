import { describe, expect, it } from "vitest";
import type { WorkerOutcome } from "../../src/agents/types.js";
import { GITHUB_BODY_LIMIT, renderReport } from "../../src/report/render-report.js";
import { renderSummary } from "../../src/report/render-summary.js";
import type { ReportModel } from "../../src/report/types.js";
import { migrationRunModel, migrationWorkers } from "./fixtures/migration-run.js";

const CHECK_RUN = "https://github.com/acme/storefront/runs/4242";

/** The worker table's body rows (header and separator excluded). */
function tableRows(report: string): string[] {
  const start = report.indexOf("| Worker |");
  const lines = report.slice(start).split("\n");
  const end = lines.findIndex((l) => !l.startsWith("|"));
  return lines.slice(2, end);
}

/** Splits a table row on the pipes GFM would split on (unescaped ones). */
const splitRow = (row: string) => row.split(/(?<!\\)\|/);

function manyWorkers(count: number, evidenceLength: number): WorkerOutcome[] {
  const template = migrationWorkers();
  return Array.from({ length: count }, (_, i) => {
    const base = template[i % template.length]!;
    return {
      ...base,
      label: `packages/module-${String(i).padStart(4, "0")}/src/index.ts`,
      reason: `module ${i}: ${"the handler still calls fetchJson at line 12 and drops the error; ".repeat(evidenceLength / 64)}`,
    };
  });
}

describe("renderReport", () => {
  it("renders a realistic run", async () => {
    const report = renderReport(migrationRunModel());
    expect(report.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(report).not.toContain("Full report:");
    await expect(report).toMatchFileSnapshot("./__snapshots__/migration-run.md");
  });

  it("renders a failed workflow run without an estimate, with a resolved conflict", async () => {
    const model: ReportModel = {
      ...migrationRunModel(),
      runId: "r-0c11",
      task: null,
      workflow: "nightly-audit",
      status: "error",
      error: { code: "script_error", message: "TypeError: results.map is not a function", line: 12, file: "script.js" },
      workers: migrationWorkers().slice(0, 2),
      reconcile: {
        merged: ["src/billing", "src/search"],
        conflicts: [{ label: "src/search", paths: ["src/search/query.ts"], resolution: "resolved" }],
      },
      estimate: null,
      phases: [],
      notes: [],
      links: {},
    };
    await expect(renderReport(model)).toMatchFileSnapshot("./__snapshots__/failed-workflow-run.md");
  });

  it("escapes untrusted labels, evidence, paths and phase titles", () => {
    const hostile = "x | y\n<!-- hide the rest --> </details> @octocat $a$ [link](javascript:alert(1))";
    const model: ReportModel = {
      ...migrationRunModel(),
      task: "do it @acme/everyone <script>",
      links: {},
      workers: migrationWorkers().map((w) => ({ ...w, label: `${w.label} ${hostile}`, reason: hostile })),
      reconcile: { merged: [], conflicts: [{ label: hostile, paths: ["a|b`c"], resolution: "unresolved", reason: hostile }] },
      phases: [{ title: 'Survey"]\n```\n--> x["', agents: 2 }],
      notes: [hostile],
    };

    const report = renderReport(model);

    const rows = tableRows(report);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(splitRow(row)).toHaveLength(10);
    expect(report).not.toContain("<!--");
    expect(report).not.toContain("<script>");
    expect(report).not.toMatch(/@(?!&#8203;)[a-z]/);
    expect(report).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(report).not.toMatch(/(?<!\\)\$a/);
    // The only </details> is the one closing the script block.
    expect(report.match(/<\/details>/g)).toHaveLength(1);
    const mermaid = report.slice(report.indexOf("```mermaid\n") + 11, report.indexOf("\n```", report.indexOf("```mermaid")));
    expect(mermaid.split("\n")).toEqual(["flowchart LR", expect.stringMatching(/^ {2}p0\["[^"\n]*<br\/>2 agents"\]$/)]);
  });

  it("keeps the script inside its block whatever fences or tags it contains", () => {
    const script = [
      "const a = 1;",
      "```",
      "</details>",
      "````js",
      "# heading?",
      "const b = `${a}`; // ``` again",
    ].join("\n");
    const report = renderReport({ ...migrationRunModel(), script });

    const lines = report.split("\n");
    const open = lines.findIndex((l) => /^`{3,}js$/.test(l) && lines[lines.indexOf(l) - 1] === "");
    const fence = lines[open]!.slice(0, -2);
    expect(fence).toBe("`````");
    const close = lines.indexOf(fence, open + 1);
    expect(lines.slice(open + 1, close).join("\n")).toBe(script);
    expect(lines.slice(close + 1, close + 3)).toEqual(["", "</details>"]);
    expect(lines[open - 2]).toBe("<summary>Plan script (6 lines)</summary>");
  });

  it("leaves the script out first when only the script is too long", () => {
    const model = { ...migrationRunModel(), script: "x();\n".repeat(20_000) };
    const report = renderReport(model);

    expect(report.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(report).not.toContain("x();");
    expect(report).toContain("The plan script (100,000 characters) is left out");
    expect(tableRows(report)).toHaveLength(6);
    expect(report).toContain("so the retry loop at line 58 never runs.");
    expect(report).toContain("_This report was shortened to fit GitHub's size limit: the plan script is left out._");
    expect(report.trimEnd().endsWith(`Full report: ${CHECK_RUN}`)).toBe(true);
  });

  it("trims evidence next, before cutting the table", () => {
    const workers = manyWorkers(30, 4_000);
    const report = renderReport({ ...migrationRunModel(), workers });

    expect(report.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(tableRows(report)).toHaveLength(30);
    expect(report).not.toContain("more worker");
    expect(report).toMatch(/evidence is cut to [\d,]+ characters/);
    expect(report).not.toContain("the handler still calls fetchJson at line 12 and drops the error; ".repeat(20));
  });

  it("stays within the limit with 2,000 workers, keeping the summary and pointing to the full report", () => {
    const model: ReportModel = { ...migrationRunModel(), workers: manyWorkers(2_000, 600), script: "run();\n".repeat(5_000) };
    const report = renderReport(model);

    expect(report.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(report.startsWith(renderSummary(model))).toBe(true);
    const rows = tableRows(report);
    const more = /^\| … ([\d,]+) more workers \|/.exec(rows.at(-1)!);
    expect(more).not.toBeNull();
    expect(rows.length - 1 + Number(more![1]!.replace(/,/g, ""))).toBe(2_000);
    expect(rows.length).toBeGreaterThan(10);
    expect(report).toMatch(/[\d,]+ of 2,000 workers are not listed/);
    expect(report.trimEnd().endsWith(`Full report: ${CHECK_RUN}`)).toBe(true);
  });

  it("fits any limit, down to the summary alone, and says so without a link when there is none", () => {
    const model: ReportModel = { ...migrationRunModel(), workers: manyWorkers(2_000, 600), links: {} };
    for (const maxLength of [20_000, 2_000, 300]) {
      const report = renderReport(model, { maxLength });
      expect(report.length).toBeLessThanOrEqual(maxLength);
      expect(report.startsWith("**dynflow run `r-7f3a`**")).toBe(true);
      expect(report).toContain("This report was shortened");
      expect(report).not.toContain("Full report:");
    }
  });
});
