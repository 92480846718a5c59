/**
 * Globals available to a dynflow plan script. Compatible with Claude Code's
 * workflow scripts; members marked "dynflow addition" are dynflow's own.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonSchema = { [key: string]: Json } | boolean;

interface AgentOptions {
  label?: string;
  phase?: string;
  schema?: JsonSchema;
  /** A model id, or a shortcut resolved to one: "haiku", "sonnet", "opus", "fable", or "inherit" (the role's model). */
  model?: "haiku" | "sonnet" | "opus" | "fable" | "inherit" | (string & {});
  /** Accepted; every dynflow agent is isolated already. */
  isolation?: string;
  /** `.claude/agents/<name>.md` of the repository, or a built-in type: "Explore", "Plan", "general-purpose". */
  agentType?: string;
  effort?: "low" | "medium" | "high" | "xhigh" | "max";
  /** dynflow addition */
  role?: "worker" | "refuter" | "resolver";
  /** dynflow addition: globs the agent may write. */
  write?: string | string[];
  /** dynflow addition */
  maxTurns?: number;
}

declare const meta: { name: string; description: string; phases?: { title: string; detail?: string; model?: string; effort?: string }[] };
declare const args: Json | undefined;

/** Resolves to the agent's text (or schema-valid object), or null when the agent failed. */
declare function agent(prompt: string, opts?: AgentOptions): Promise<any>;
/** Barrier: resolves when every thunk has settled; failures become null. At most 4,096 items. */
declare function parallel<T>(thunks: Array<() => Promise<T> | T>): Promise<Array<T | null>>;
/** Each item runs through every stage with no barrier between stages. At most 4,096 items. */
declare function pipeline<T>(items: T[], ...stages: Array<(previous: any, item: T, index: number) => any>): Promise<any[]>;
declare function phase(title: string): void;
declare function log(message: string): void;
declare const budget: {
  readonly total: number | null;
  spent(): number;
  remaining(): number;
  /** dynflow addition: the dollar budget. */
  readonly usd: { readonly total: number | null; spent(): number; remaining(): number };
};
/** Runs another workflow (one level of nesting). */
declare function workflow(ref: string | { scriptPath: string } | { script: string; name?: string }, args?: Json): Promise<any>;

// --- dynflow additions: changes and refutation ---

/** dynflow addition: a module of the repository, from config or detected. */
interface RepoModule {
  name: string;
  globs: string[];
  /** Tracked files the globs match at the base commit. */
  files: number;
}

/** dynflow addition: read-only facts about the repository at the run's base commit (no token cost). */
declare const repo: {
  /** Tracked files, sorted; filtered by a glob (a glob without "/" matches file names anywhere). */
  files(glob?: string): Promise<string[]>;
  /** Modules from the repository config, else detected (workspace packages, src/ directories, the root). */
  modules(): Promise<RepoModule[]>;
  /** Names of the repository's configured commands check() can run; empty when none or when the host has no sandbox. */
  checks(): Promise<string[]>;
};

/** dynflow addition: a worker's change. `branch`/`commit` are null and `files` empty when it changed nothing. */
interface Change {
  /** `<line>.<round>`. */
  id: string;
  /** The line of work: one worker() call, or all rounds of one converge(). */
  line: string;
  label: string;
  round: number;
  /** The worker's own account of what it did. */
  summary: string;
  /** The worker's result: text, or the object its schema asked for. */
  result: any;
  branch: string | null;
  commit: string | null;
  base: string;
  files: { path: string; status: "added" | "modified" | "deleted"; additions: number; deletions: number }[];
  additions: number;
  deletions: number;
  /** The agent stopped early; the change may be partial. */
  incomplete: boolean;
}

type Verdict = "refuted" | "upheld" | "unverified";

/** dynflow addition: the combined review of one claim. */
interface Review {
  /** Any refuted vote → refuted; else upheld when at least half (rounded up) upheld; else unverified. */
  verdict: Verdict;
  votes: { verdict: Verdict; evidence: string }[];
  /** The evidence behind the verdict. */
  evidence: string;
}

interface RefuteOptions {
  /** Refuter agents, 1–16 (default from config, 2). */
  refuters?: number;
  /** Extra instructions for the refuters. */
  instructions?: string;
  model?: string;
  maxTurns?: number;
}

interface ConvergeOptions extends AgentOptions {
  /** Rounds, capped by the run's configuration (default 3). */
  rounds?: number;
  refuters?: number;
  instructions?: string;
  /** Configured commands each round's change must pass before refuters see it; a failure refutes the round with the output. */
  checks?: string[];
}

/** dynflow addition: what check() resolves to. */
interface CheckResult {
  /** Exit code 0 within the sandbox's limits. */
  passed: boolean;
  exitCode: number;
  /** The start and the end of stdout and stderr together. */
  output: string;
}

/** dynflow addition: how a converge() loop ended. */
interface ConvergeResult {
  status: "accepted" | "refuted" | "unverified" | "failed" | "unchanged";
  /** The last round's change; null when the last worker failed. */
  change: Change | null;
  /** The last round's review; null when none ran. */
  review: Review | null;
  rounds: number;
}

/** dynflow addition: one worker agent; resolves to its change, or null when it failed. */
declare function worker(prompt: string, opts?: AgentOptions): Promise<Change | null>;
/** dynflow addition: independent refuters try to refute a change, or a claim (judged on the run's result so far: the base with every change that would be merged now). */
declare function refute(target: Change | { claim: string; label?: string }, opts?: RefuteOptions): Promise<Review>;
/** dynflow addition: runs a configured command (by name) on the change's tree in the sandbox; no tokens, journaled by tree and command. */
declare function check(change: Change, name: string): Promise<CheckResult>;
/** dynflow addition: merge this change whatever its review said. */
declare function accept(change: Change): Promise<void>;
/** dynflow addition: keep this change out of the result, with a reason for the report. */
declare function discard(change: Change, reason?: string): Promise<void>;
/** dynflow addition: worker → refute → redo with the evidence, until upheld or out of rounds. */
declare function converge(prompt: string, opts?: ConvergeOptions): Promise<ConvergeResult>;

// --- standard built-ins (plain JavaScript inside the sandbox) ---
// URL, URLSearchParams, structuredClone, TextEncoder, TextDecoder, atob, btoa and console have their
// usual web-platform types. Intl offers NumberFormat only (English); console writes to the run's log.
