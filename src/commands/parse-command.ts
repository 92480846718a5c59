/**
 * Parses a comment into a dynflow command. Pure: no GitHub, no config. The
 * comment is untrusted text, so every argument is validated here and anything
 * unexpected becomes an `invalid` result carrying the usage text.
 */
import { codeSpan, truncate } from "../report/escape-markdown.js";
import { commandLimitProblems } from "./command-limits.js";
import { findCommandLine } from "./find-command-line.js";
import { COMMAND_PREFIX, VERBS, renderUsage, usageFor, type Verb } from "./usage.js";

/** A saved workflow or audit name: lowercase letters, digits, `-` and `_`, one word. */
export const WORKFLOW_NAME = /^[a-z0-9][a-z0-9_-]{0,99}$/;

/** A run id as dynflow prints it, e.g. `r-7k2x9`. */
export const RUN_ID = /^r-[a-z0-9]{1,64}$/i;

export type RunCommand = {
  kind: "command";
  verb: "run";
  /** Everything after `run` on the command line. */
  text: string;
  /**
   * Set when the first word of `text` could name a saved workflow. Only the
   * caller knows whether it exists: if it does, run it with `rawArgs`;
   * otherwise `text` is the task.
   */
  workflowName?: string;
  /** The rest of the line after `workflowName` (may be empty); see `parseArgs`. */
  rawArgs?: string;
  /** Lines after the command line (more detail for the task), when there are any. */
  details?: string;
};

export type PlanCommand = { kind: "command"; verb: "plan"; text: string; details?: string };
export type RunIdCommand = { kind: "command"; verb: "approve" | "cancel" | "status" | "resume"; runId?: string };
export type AuditCommand = { kind: "command"; verb: "audit"; name: string };
export type HelpCommand = { kind: "command"; verb: "help" };

/** A well-formed command. */
export type Command = RunCommand | PlanCommand | RunIdCommand | AuditCommand | HelpCommand;

/** A comment meant for dynflow that cannot be run as written. */
export type InvalidCommand = {
  kind: "invalid";
  /** The verb, when it was recognised. */
  verb?: Verb;
  /** What is wrong and how to write it (markdown). */
  message: string;
  /** The full help (markdown). */
  usage: string;
};

export type ParseResult = Command | InvalidCommand | { kind: "none" };

export interface ParseCommandOptions {
  /** The app's slug, so `@<slug> run ...` works like `/dynflow run ...`. */
  appSlug?: string | undefined;
}

/**
 * Reads the first command line of `body` (outside code blocks, quotes and
 * HTML comments). `{ kind: "none" }` when the comment is not addressed to dynflow.
 */
export function parseCommand(body: string, options: ParseCommandOptions = {}): ParseResult {
  const found = findCommandLine(body, triggersFor(options.appSlug));
  if (!found) return { kind: "none" };
  const usage = renderUsage({ appSlug: options.appSlug });
  const invalid = (message: string, verb?: Verb): InvalidCommand =>
    verb === undefined ? { kind: "invalid", message, usage } : { kind: "invalid", verb, message, usage };

  const [word = "", ...restWords] = found.rest.split(/\s+/).filter(Boolean);
  if (word === "") return invalid(`Tell dynflow what to do, e.g. \`${COMMAND_PREFIX} run <task>\`.`);
  const verb = VERBS.find((candidate) => candidate === word.toLowerCase());
  if (verb === undefined) return invalid(`${codeSpan(truncate(word, 40))} is not a dynflow command.`);
  const argument = found.rest.replace(/^\s*\S+/, "").trim();

  switch (verb) {
    case "run":
    case "plan": {
      if (argument === "") return invalid(`\`${verb}\` needs a task. Usage: ${usageFor(verb)}.`, verb);
      const details = found.after.trim();
      const [first = ""] = restWords;
      const named = verb === "run" && WORKFLOW_NAME.test(first);
      const rawArgs = named ? argument.slice(first.length).trim() : "";
      const problems = named && /^[[{]/.test(rawArgs)
        ? commandLimitProblems(`The arguments of ${codeSpan(first)}`, rawArgs, { json: true })
        : commandLimitProblems("The task", details ? `${argument}\n\n${details}` : argument);
      if (problems.length > 0) return invalid(`**${problems.join(". ")}.**`, verb);
      const base = { kind: "command" as const, text: argument, ...(details ? { details } : {}) };
      if (verb === "plan" || !named) return { ...base, verb };
      return { ...base, verb, workflowName: first, rawArgs };
    }
    case "approve":
    case "cancel":
    case "status":
    case "resume": {
      if (restWords.length > 1) return invalid(`\`${verb}\` takes at most one run id. Usage: ${usageFor(verb)}.`, verb);
      const [runId] = restWords;
      if (runId === undefined) return { kind: "command", verb };
      if (!RUN_ID.test(runId)) {
        return invalid(`${codeSpan(truncate(runId, 70))} is not a run id (run ids look like \`r-7k2x9\`). Usage: ${usageFor(verb)}.`, verb);
      }
      return { kind: "command", verb, runId };
    }
    case "audit": {
      const [name] = restWords;
      if (name === undefined || restWords.length > 1 || !WORKFLOW_NAME.test(name)) {
        return invalid(
          `\`audit\` needs the name of one audit from \`.github/dynflow.yml\` (lowercase letters, digits, \`-\`, \`_\`). Usage: ${usageFor(verb)}.`,
          verb,
        );
      }
      return { kind: "command", verb, name };
    }
    case "help":
      return { kind: "command", verb };
  }
}

/** The triggers a comment may start with: `/dynflow`, and `@<slug>` when the slug is known. */
function triggersFor(appSlug: string | undefined): string[] {
  return appSlug ? [COMMAND_PREFIX, `@${appSlug}`] : [COMMAND_PREFIX];
}
