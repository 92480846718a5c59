/**
 * The pull request's title: `dynflow: <the task>`. For a workflow run by
 * name, the workflow and the task from its args (`dynflow: migrate — move
 * every fetchJson caller to client.get`), so a reader of the pull request list
 * sees what it is about. Pure.
 */
import { truncate } from "../../report/escape-markdown.js";
import type { JsonValue } from "../../runtime/types.js";
import { taskOfArgs } from "../../workflows/index.js";

const SUBJECT_MAX = 200;

export function pullRequestTitle(run: { id: string; task: string | null; workflow: string | null; args: JsonValue }, scriptName: string | null): string {
  const firstLine = (text: string) => text.split("\n", 1)[0]?.trim() ?? "";
  const task = run.task ? firstLine(run.task) : "";
  if (task) return `dynflow: ${truncate(task, SUBJECT_MAX)}`;
  const name = run.workflow || scriptName || run.id;
  const fromArgs = taskOfArgs(run.args);
  return `dynflow: ${truncate(fromArgs ? `${name} — ${firstLine(fromArgs)}` : name, SUBJECT_MAX)}`;
}
