/**
 * What the GitHub use cases run on: the services built once at startup
 * (`createRunServices`), and the runtime the Probot app adds to them (GitHub
 * clients per installation, the app's slug).
 */
import type { Logger } from "pino";
import type { ModelClient, PriceTable } from "../../agents/model/index.js";
import type { AppConfig } from "../../config/load-env.js";
import type { GitHubClient } from "../../github/github-client.js";
import type { Clock, Timers } from "../../time.js";
import type { Store } from "../../store/index.js";
import type { ProgressPacing } from "../surfaces/progress-pacing.js";
import type { CommitIdentity } from "../../workspace/index.js";
import type { CancelRegistry } from "../steps/cancel-registry.js";
import type { ProcessCaps } from "../../queue/agents/create-capped-runner.js";
import type { AgentQueue } from "../../queue/agents/open-agent-queue.js";
import type { RunQueue } from "../../queue/runs/run-queue.js";
import type { TranscriptRecorder } from "../../transcripts/types.js";

/** Where the agents of this process's runs go; built once per process (`createRunServices`). */
export type AgentPlacement =
  /** In this process, under the process-wide caps. */
  | { kind: "process"; caps: ProcessCaps }
  /** On the Redis queue; `perInstallation` caps one installation's queued and running agents (null: no such cap). */
  | { kind: "queue"; queue: AgentQueue; perInstallation: number | null };

/** Services shared by every run of the process; built in one place (`createRunServices`, or a test). */
export interface RunServices {
  store: Store;
  queue: RunQueue;
  cancels: CancelRegistry;
  /**
   * Makes the model client of one run with the run's price table; with
   * `batch`, one that sends its calls through the Message Batches API at half
   * price (a `BatchModelClient`, for audits with `batch: true`). Null when no
   * model API key is configured: runs are then refused with a message saying so.
   */
  createModel: ((options: { prices: PriceTable; batch?: boolean }) => ModelClient) | null;
  /** The deployment's ceilings (`DYNFLOW_MAX_*`). */
  caps: AppConfig["caps"];
  /**
   * Where runs' agents run: in this process under process-wide caps, or on
   * workers through the Redis queue. Unset: in this process, with only each
   * run's own caps.
   */
  agents?: AgentPlacement;
  /** Built-in prices with the deployment's overrides. */
  prices: PriceTable;
  /** Clones live under `<dataDir>/clones`. */
  dataDir: string;
  /** Host of the noreply e-mail of the app's commits: `github.com`, or the GitHub Enterprise Server host. */
  githubHost: string;
  clock: Clock;
  /** New run ids, `r-` and lowercase letters and digits (see `RUN_ID`). */
  newRunId: () => string;
  /** Who holds a run's lease: unique per process. */
  processId: string;
  log: Logger;
  /** Base environment of git processes. Default: the process environment. */
  gitEnv?: NodeJS.ProcessEnv;
  /**
   * Least time between two edits of an executing run's status comment or check run. Default 5,000 ms;
   * longer while other runs of the same installation are shown (`progress-pacing.ts`).
   */
  progressIntervalMs?: number;
  /**
   * How long after the script's end the status comment and the check run say
   * "publishing" if the run has not ended by then (default 3,000 ms; 0: at
   * once). Until then no progress edit is written, so the pull request never
   * waits behind one in the installation's write throttle.
   */
  publishingNoticeMs?: number;
  /** Timers of throttles, deadlines and lease renewals (tests inject them). */
  timers?: Timers;
  /** The plan API reference for the planner. Default: `docs/plan-api.md` of the package. */
  planApiDoc?: () => Promise<string>;
  /** Where agents' transcripts are recorded (agents of this process; workers record their own). None: not recorded. */
  transcripts?: TranscriptRecorder;
  /** Transcripts older than this are pruned by the app. Unset: never pruned. */
  transcriptRetentionMs?: number;
  /** Worker changes kept for a run that never pushed them, untouched for longer than this, are pruned by the app. Unset: never pruned. */
  changeRetentionMs?: number;
  /** The run's dashboard page, when the dashboard is on and `DYNFLOW_PUBLIC_URL` is set: linked from the status comment, the check run and the report. */
  dashboardUrl?: (runId: string) => string;
  /** How often an executing run reads its dashboard controls. Default 1,000 ms. */
  controlPollMs?: number;
  /** How often CI waits past their deadline are looked for. Default 30,000 ms. */
  ciSweepMs?: number;
}

/** The services plus what only the Probot app can provide. */
export interface AppRuntime extends RunServices {
  /** A client authenticated as the installation (tokens renewed by Octokit). */
  github(installationId: number): Promise<GitHubClient>;
  /** The app's slug, or undefined while GitHub cannot tell. */
  appSlug(): Promise<string | undefined>;
  /** Who the app's commits are by (`<slug>[bot]`), looked up once. */
  botIdentity(github: GitHubClient): Promise<CommitIdentity>;
  /** How often executing runs' progress is written, per installation, in this process. */
  progressPacing: ProgressPacing;
}
