/**
 * The plan script, collapsed, in a fence it cannot break out of.
 */
import { fenceFor, showDisplayControls } from "./escape-markdown.js";
import { groupDigits, plural } from "./format-values.js";

/**
 * Renders the script in a `<details>` block. The fence is longer than any run
 * of backticks in the script, so neither a fence nor `</details>` inside the
 * script can end the block: inside a fenced code block both are plain text.
 */
export function renderScript(script: string): string {
  // Bidi controls in a script would make it read differently from what runs: they are shown, not applied.
  const body = showDisplayControls(script.replace(/\r\n?/g, "\n").replace(/\n+$/, ""));
  const fence = fenceFor(body);
  const lines = body === "" ? 0 : body.split("\n").length;
  return [
    "<details>",
    `<summary>Plan script (${plural(lines, "line")})</summary>`,
    "",
    `${fence}js`,
    body,
    fence,
    "",
    "</details>",
  ].join("\n");
}

/** What replaces the script when the report must shrink. */
export function renderScriptOmitted(script: string, pointer: string | null): string {
  const where = pointer ? ` It is in the [full report](${pointer}).` : "";
  return `_The plan script (${groupDigits(script.length)} characters) is left out to keep this report within GitHub's size limit.${where}_`;
}
