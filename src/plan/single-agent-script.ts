/**
 * The honest default plan: one worker agent does the whole task, independent
 * refuters try to refute its change, and refuted work is redone with their
 * evidence (`converge`). Fixed text: the same script for every task, which
 * arrives as data in `args.task` and is never pasted into code.
 */

/** Name in the template's `meta`. */
export const SINGLE_AGENT_SCRIPT_NAME = "single-agent";

/**
 * The template. Also runs as a saved workflow: `/dynflow run single-agent
 * <task>` passes the task as a raw string, which the script accepts too.
 */
export const SINGLE_AGENT_SCRIPT = `export const meta = {
  name: "${SINGLE_AGENT_SCRIPT_NAME}",
  description: "One worker does the task; independent refuters try to refute its change; refuted work is redone.",
  phases: [{ title: "Work and review" }],
};

// The task is data: it arrives in args and is never pasted into this script.
const task = typeof args === "string" ? args : args.task;
const label = task.split("\\n")[0].trim().slice(0, 60) || "task";

phase("Work and review");
const outcome = await converge(task, { label });
log(\`\${label}: \${outcome.status} after \${outcome.rounds} round(s)\`);
return outcome;
`;
