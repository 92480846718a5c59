/**
 * Errors of runs kept in a repository's local store (`dynflow run`,
 * `resume`, `show`, `ui`). Each says what to do next.
 */
import { DynflowError } from "../errors.js";

/** No run with this id in the repository's local store. */
export class LocalRunNotFoundError extends DynflowError {
  declare readonly code: "local_run_not_found";

  constructor(
    readonly runId: string,
    readonly storePath: string,
  ) {
    super("local_run_not_found", `there is no run ${runId} in this repository's local store (${storePath}); "dynflow show --repo <path>" lists its runs`);
  }
}

/** Another process executes the run now (it holds the run's lease). */
export class LocalRunBusyError extends DynflowError {
  declare readonly code: "local_run_busy";

  constructor(
    readonly runId: string,
    readonly leaseMs: number,
  ) {
    super(
      "local_run_busy",
      `run ${runId} is being executed by another dynflow process right now; wait for it to end, or, if that process was killed, try again in ${Math.ceil(leaseMs / 1000)} s`,
    );
  }
}

/** The run cannot be resumed from its status (it finished, or never started). */
export class LocalRunNotResumableError extends DynflowError {
  declare readonly code: "local_run_not_resumable";

  constructor(
    readonly runId: string,
    readonly status: string,
  ) {
    super("local_run_not_resumable", `run ${runId} ended ${status === "ok" ? "successfully" : `with status ${status}`}; there is nothing to resume`);
  }
}

/** A stored run this version cannot read back (edited by hand, or written by an incompatible version). */
export class LocalRunUnreadableError extends DynflowError {
  declare readonly code: "local_run_unreadable";

  constructor(
    readonly runId: string,
    readonly problem: string,
  ) {
    super("local_run_unreadable", `run ${runId} cannot be read back from the local store (${problem}); start a new run for the same task`);
  }
}

/** `--agent` named no agent of the run, or several. */
export class LocalAgentNotFoundError extends DynflowError {
  declare readonly code: "local_agent_not_found";

  constructor(
    readonly runId: string,
    readonly agent: string,
    /** Agents whose label matched, when several did (`id label`). */
    readonly candidates: readonly string[],
  ) {
    super(
      "local_agent_not_found",
      candidates.length === 0
        ? `run ${runId} has no agent "${agent}"; "dynflow show ${runId}" lists its agents`
        : `"${agent}" matches ${candidates.length} agents of run ${runId}; give one's id:\n${candidates.map((c) => `  ${c}`).join("\n")}`,
    );
  }
}
