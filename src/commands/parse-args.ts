/**
 * Arguments of a saved workflow, as typed after its name. Scripts read them as
 * `args`: JSON when the text is JSON (`{"dir": "src"}`, `[1, 2]`, `42`), the
 * text itself otherwise (`src/api only`), and undefined when there is none.
 */
import type { JsonValue } from "../runtime/types.js";

/** `raw` as JSON when it parses, else the trimmed string; undefined for empty input. */
export function parseArgs(raw: string | undefined): JsonValue | undefined {
  const text = raw?.trim() ?? "";
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // Not JSON: plain text is a valid argument too.
    return text;
  }
}

/** What `/dynflow run <x> ...` turned out to mean once the caller knows which workflows exist. */
export type RunTarget = { type: "workflow"; name: string; args: JsonValue | undefined } | { type: "task"; task: string };

/**
 * Chooses between the two readings of a run command: a saved workflow when
 * its first word names one that `isSavedWorkflow` knows, else a task.
 */
export function resolveRunTarget(
  command: { text: string; workflowName?: string | undefined; rawArgs?: string | undefined },
  isSavedWorkflow: (name: string) => boolean,
): RunTarget {
  if (command.workflowName !== undefined && isSavedWorkflow(command.workflowName)) {
    return { type: "workflow", name: command.workflowName, args: parseArgs(command.rawArgs) };
  }
  return { type: "task", task: command.text };
}
