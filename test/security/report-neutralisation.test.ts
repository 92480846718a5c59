/**
 * Attack class: model output, file names and labels that act on GitHub when
 * rendered. Mentions were already neutralised; cross-references were not, so
 * a model could make the run's pull request or status comment link itself
 * on any issue (`#1`, `owner/repo#1`, `GH-1`), and bidi controls or line
 * separators could make a name or the plan script read differently on screen.
 */
import { describe, expect, it } from "vitest";
import { publishPullRequest } from "../../src/github/open-pull-request.js";
import { renderLogBlock } from "../../src/progress/render-progress-sections.js";
import { cell, codeSpan, escapeInline } from "../../src/report/escape-markdown.js";
import { renderScript } from "../../src/report/render-script.js";
import type { GitHubClient } from "../../src/github/github-client.js";

const HOSTILE = "Fixed #12, see acme/widgets#34 and GH-56; file \u202Egnp.exe\u202C and a\u2028b\u2029c \u2066x\u2069 by @octocat";

/**
 * What GitHub would turn into an issue link (outside code, where it links
 * nothing; `&#8203;` is an HTML entity, not a reference), or a display
 * control that reorders text.
 */
function activeParts(rendered: string, options: { code?: boolean } = {}): string[] {
  const found: string[] = [];
  const references = options.code ? [] : rendered.matchAll(/(?:^|[^\w/&])(#\d+)|[\w.-]+\/[\w.-]+(#\d+)|\b(GH-\d+)/gi);
  for (const m of references) found.push(m[0].trim());
  for (const m of rendered.matchAll(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g)) found.push(`U+${m[0].codePointAt(0)?.toString(16)}`);
  return found;
}

describe("reports and comments", () => {
  it("neutralise cross-references and display controls in model text, labels and cells", () => {
    expect(activeParts(escapeInline(HOSTILE))).toEqual([]);
    expect(activeParts(cell(HOSTILE))).toEqual([]);
    // The words stay readable.
    expect(escapeInline(HOSTILE)).toContain("Fixed #\u200b12");
    expect(escapeInline(HOSTILE)).toContain("\\[U+202E\\]");
  });

  it("neutralise display controls in file names, the plan script and the log", () => {
    expect(activeParts(codeSpan("src/\u202Egnp.ts"), { code: true })).toEqual([]);
    expect(activeParts(renderScript(`export const meta = { name: "x" };\n// \u202E } safe {\nlog("hi");`), { code: true })).toEqual([]);
    expect(activeParts(renderLogBlock([{ level: "info", message: HOSTILE, at: 0 }], 1, 5) ?? "", { code: true })).toEqual([]);
  });

  it("neutralise cross-references, mentions and display controls in the pull request title", async () => {
    let title = "";
    const octokit = {
      rest: {
        pulls: {
          list: async () => ({ data: [] }),
          create: async (params: { title: string }) => {
            title = params.title;
            return { data: { number: 1, html_url: "https://github.com/acme/widgets/pull/1", node_id: "n", draft: false } };
          },
        },
      },
    } as unknown as GitHubClient;
    await publishPullRequest({ octokit, owner: "acme", repo: "widgets", base: "main", head: "dynflow/r-1", title: `dynflow: ${HOSTILE}`, body: "report", draft: false, merged: ["a"] });
    expect(activeParts(title)).toEqual([]);
    expect(title).not.toMatch(/@octocat/);
  });
});
