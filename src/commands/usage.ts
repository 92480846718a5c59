/**
 * The help text of the comment commands: one table, rendered for the trigger
 * the installation answers to (`/dynflow`, and `@<app-slug>` when known).
 */

/** The verbs `/dynflow` understands. */
export const VERBS = ["run", "plan", "approve", "cancel", "status", "resume", "audit", "help"] as const;

export type Verb = (typeof VERBS)[number];

/** Syntax (after the trigger) and a one-line summary of each verb. */
export const VERB_USAGE: Readonly<Record<Verb, readonly { syntax: string; summary: string }[]>> = Object.freeze({
  run: [
    { syntax: "run <task>", summary: "plan a workflow for the task, run it and open one pull request" },
    {
      syntax: "run <saved-workflow> [args]",
      summary: "run a saved workflow (`.claude/workflows/<name>.js`); args are JSON or plain text",
    },
  ],
  plan: [{ syntax: "plan <task>", summary: "write the plan script and estimate its cost, without running it" }],
  approve: [{ syntax: "approve [run-id]", summary: "start a run that waits for approval" }],
  cancel: [{ syntax: "cancel [run-id]", summary: "stop a run; finished work is kept and reported" }],
  status: [{ syntax: "status [run-id]", summary: "show where a run is" }],
  resume: [{ syntax: "resume [run-id]", summary: "continue a stopped run without paying again for finished agents" }],
  audit: [{ syntax: "audit <name>", summary: "run an audit from `.github/dynflow.yml` now" }],
  help: [{ syntax: "help", summary: "show this help" }],
});

/** The command trigger, `/dynflow`. */
export const COMMAND_PREFIX = "/dynflow";

/** The usage line(s) of one verb, e.g. "`/dynflow approve [run-id]`". */
export function usageFor(verb: Verb): string {
  return VERB_USAGE[verb].map((line) => `\`${COMMAND_PREFIX} ${line.syntax}\``).join(" or ");
}

/**
 * The full help as markdown. `appSlug` adds the `@<slug>` spelling; the slug
 * comes from GitHub (or the app configuration), never from a comment.
 */
export function renderUsage(options: { appSlug?: string | undefined } = {}): string {
  const rows = VERBS.flatMap((verb) =>
    VERB_USAGE[verb].map((line) => `| \`${COMMAND_PREFIX} ${line.syntax}\` | ${line.summary} |`),
  );
  const mention = options.appSlug ? ` \`@${options.appSlug} <command>\` works the same as \`${COMMAND_PREFIX} <command>\`.` : "";
  return [
    "**dynflow commands**",
    "",
    "| command | what it does |",
    "|---|---|",
    ...rows,
    "",
    `Without a run id, a command acts on the latest run of this issue or pull request.${mention}`,
    "Only people with write, maintain or admin access to the repository can start, plan, approve, cancel or resume runs.",
  ].join("\n");
}
