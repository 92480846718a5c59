/**
 * Per-run budgets for what the host does on a script's behalf. The sandbox
 * caps the script's own CPU and memory, but phase titles, log lines, queued
 * prompts, nested workflow sources, repository scans and compiled schemas
 * live in the host process, which serves every other run too. Each has an
 * aggregate budget per run and a clear error naming it.
 */
import { DynflowError } from "../errors.js";

/** The budgets of one run. */
export interface HostBudgets {
  /** Distinct `phase()` titles. */
  maxPhases: number;
  /** Characters of one phase title (longer ones are cut). */
  maxPhaseTitleChars: number;
  /** Bytes of `log()` messages kept (and persisted) for the run; later messages are dropped with one warning. */
  maxLogBytes: number;
  /** Bytes of the prompts of agents queued or running at one time. */
  maxQueuedPromptBytes: number;
  /** `workflow()` calls that load a script. */
  maxWorkflowLoads: number;
  /** Bytes of workflow sources parsed. */
  maxWorkflowSourceBytes: number;
  /** Paths scanned by `repo.files()` and `repo.modules()` together. */
  maxRepoScanPaths: number;
  /** Distinct output schemas compiled. */
  maxSchemas: number;
}

export const DEFAULT_HOST_BUDGETS: Readonly<HostBudgets> = Object.freeze({
  maxPhases: 1_000,
  maxPhaseTitleChars: 200,
  maxLogBytes: 1024 * 1024,
  maxQueuedPromptBytes: 64 * 1024 * 1024,
  maxWorkflowLoads: 64,
  maxWorkflowSourceBytes: 4 * 1024 * 1024,
  maxRepoScanPaths: 5_000_000,
  maxSchemas: 64,
});

/** Budgets whose exhaustion is an error (logs are dropped instead). */
export type HostBudgetName = Exclude<keyof HostBudgets, "maxPhaseTitleChars" | "maxLogBytes">;

const WHAT: Record<HostBudgetName, { what: string; fix: string }> = {
  maxPhases: { what: "distinct phase() titles", fix: "use a few fixed phase titles and put the item in log() instead" },
  maxQueuedPromptBytes: { what: "bytes of prompts waiting or running at once", fix: "send agents file paths, not file contents, or start fewer at a time" },
  maxWorkflowLoads: { what: "workflow() loads", fix: "load each workflow once and call agents in a loop instead" },
  maxWorkflowSourceBytes: { what: "bytes of workflow sources", fix: "load fewer or smaller workflows" },
  maxRepoScanPaths: { what: "paths scanned by repo.files() and repo.modules()", fix: "call repo.files() once and filter the list in the script" },
  maxSchemas: { what: "distinct output schemas", fix: "reuse one schema for agents of the same kind" },
};

/** A run used up one of its host budgets. */
export class HostBudgetError extends DynflowError {
  constructor(
    readonly budget: HostBudgetName,
    readonly limit: number,
  ) {
    const { what, fix } = WHAT[budget];
    super("host_budget_exceeded", `the run used up its budget of ${limit.toLocaleString("en-US")} ${what} (${budget}); ${fix}`);
  }
}

/** Counts one run's use of its budgets. */
export class HostBudgetMeter {
  readonly budgets: HostBudgets;
  private readonly phases = new Set<string>();
  private logBytes = 0;
  private logsDropped = false;
  private queuedPromptBytes = 0;
  private workflowLoads = 0;
  private workflowBytes = 0;
  private repoScanPaths = 0;
  private readonly schemas = new Set<string>();

  constructor(budgets: Partial<HostBudgets> = {}) {
    this.budgets = { ...DEFAULT_HOST_BUDGETS, ...budgets };
  }

  /** The title as kept (cut to length); throws `HostBudgetError` for one title too many. O(1) per call. */
  phase(title: string): string {
    const kept = title.length > this.budgets.maxPhaseTitleChars ? `${title.slice(0, this.budgets.maxPhaseTitleChars - 1)}…` : title;
    if (!this.phases.has(kept)) {
      if (this.phases.size >= this.budgets.maxPhases) throw new HostBudgetError("maxPhases", this.budgets.maxPhases);
      this.phases.add(kept);
    }
    return kept;
  }

  /**
   * Whether a log message of `message` is kept: `keep`, `drop`, or `first-drop`
   * for the first message past the budget (the caller says so once).
   */
  log(message: string): "keep" | "drop" | "first-drop" {
    const bytes = Buffer.byteLength(message, "utf8");
    if (!this.logsDropped && this.logBytes + bytes <= this.budgets.maxLogBytes) {
      this.logBytes += bytes;
      return "keep";
    }
    if (this.logsDropped) return "drop";
    this.logsDropped = true;
    return "first-drop";
  }

  /** Reserves room for a prompt about to be queued; `release` it when the agent is done. */
  reservePrompt(prompt: string): () => void {
    const bytes = Buffer.byteLength(prompt, "utf8");
    if (this.queuedPromptBytes + bytes > this.budgets.maxQueuedPromptBytes) {
      throw new HostBudgetError("maxQueuedPromptBytes", this.budgets.maxQueuedPromptBytes);
    }
    this.queuedPromptBytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.queuedPromptBytes -= bytes;
    };
  }

  /** Counts a workflow load of `source`, before it is parsed. */
  workflowLoad(source: string): void {
    if (this.workflowLoads >= this.budgets.maxWorkflowLoads) throw new HostBudgetError("maxWorkflowLoads", this.budgets.maxWorkflowLoads);
    const bytes = Buffer.byteLength(source, "utf8");
    if (this.workflowBytes + bytes > this.budgets.maxWorkflowSourceBytes) {
      throw new HostBudgetError("maxWorkflowSourceBytes", this.budgets.maxWorkflowSourceBytes);
    }
    this.workflowLoads++;
    this.workflowBytes += bytes;
  }

  /** Counts a scan of `paths` repository paths, before it runs. */
  repoScan(paths: number): void {
    if (this.repoScanPaths + paths > this.budgets.maxRepoScanPaths) throw new HostBudgetError("maxRepoScanPaths", this.budgets.maxRepoScanPaths);
    this.repoScanPaths += paths;
  }

  /** Counts a schema by its canonical key, before it is compiled. */
  schema(key: string): void {
    if (this.schemas.has(key)) return;
    if (this.schemas.size >= this.budgets.maxSchemas) throw new HostBudgetError("maxSchemas", this.budgets.maxSchemas);
    this.schemas.add(key);
  }
}
