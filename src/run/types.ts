/**
 * Inputs and result of one run on a local repository (`runWorkflow`).
 */
import type { Logger } from "pino";
import type { AgentDefinitionSource } from "../agent-setup/index.js";
import type { AgentRunnerDeps } from "../agents/create-agent-runner.js";
import type { ModelClient, PriceTable, Role } from "../agents/model/index.js";
import type { WorkerOutcome } from "../agents/types.js";
import type { PlanResult } from "../plan/plan-script.js";
import type { RunReportExtras } from "./build-report-model.js";
import type { ReconcileResult } from "../reconcile/types.js";
import type { ReportModel } from "../report/types.js";
import type { LineOutcome, ReviewConfig } from "../review/types.js";
import type { WorkflowResolver } from "../runtime/script-host.js";
import type { AgentRunner, Journal, JsonValue, RunEvent, RunLimits, RunOutcome, SandboxLimits } from "../runtime/types.js";
import type { Clock } from "../time.js";
import type { CommitIdentity, GitRepository } from "../workspace/index.js";
import type { AgentStops } from "../runtime/agent-stops.js";
import type { TranscriptRecorder } from "../transcripts/types.js";
import type { WebToolsConfig } from "../web-tools/web-tools-config.js";
import type { CommandsConfig } from "../command-sandbox/index.js";

/** Where a run is, for progress views (the script's own progress comes as `RunEvent`s). */
export type WorkflowStage = "plan" | "run" | "reconcile" | "report";

export interface RunWorkflowInput {
  /** The repository, opened by the caller (who also closes it). */
  repository: GitRepository;
  /** How the report names the repository (`owner/name`, or a directory name for a local run). */
  repositoryName: string;
  /** Full id of the base commit. */
  baseCommit: string;
  /** What the base is called in the report (a branch name, or the revision given). */
  baseLabel: string;
  /** The task in words; planned into a script unless `script` is given. */
  task: string | null;
  /** A ready script; when null, the script is planned from `task`. */
  script: { source: string; filename: string } | null;
  /** The script's `args` (a planned script gets `{ task }`). */
  args?: JsonValue;
  model: ModelClient;
  settings?: WorkflowSettings;
  // --- injected, with defaults ---
  runId?: string;
  /** Identity of worker and merge commits. */
  author?: CommitIdentity;
  clock?: Clock;
  log?: Logger;
  journal?: Journal;
  onEvent?: (event: RunEvent) => void;
  onStage?: (stage: WorkflowStage) => void;
  signal?: AbortSignal;
  /** Environment of git processes of the merge (default: the process environment). */
  gitEnv?: NodeJS.ProcessEnv;
  /** The plan API reference for the planner (default: `docs/plan-api.md` of the package). */
  planApiDoc?: () => Promise<string>;
  /** New run ids (default: 8 random hex digits). */
  newRunId?: () => string;
  /**
   * Builds the run's agent runner (default: `createAgentRunner`, agents in
   * this process). Scale-out passes one that queues agents for worker
   * processes, or wraps the default with deployment-wide caps.
   */
  createRunner?: (deps: AgentRunnerDeps) => AgentRunner;
  /**
   * Finds the workflows the script starts with `workflow(name, args)` (see
   * `createWorkflowResolver`: the repository's saved ones, then the bundled
   * ones). Without it, `workflow(name)` fails; `workflow({ script })` works either way.
   */
  resolveWorkflow?: WorkflowResolver;
  /** Where agents' transcripts are recorded (the default runner records there too). */
  transcripts?: TranscriptRecorder;
  /** Lets the caller stop single agents while the run goes on. */
  agentStops?: AgentStops;
  /**
   * Called once the script is known (given, or planned from the task) and
   * before any agent starts: where a local run keeps its plan, so resuming
   * it runs the same script without planning again.
   */
  onPlanned?: (planned: { source: string; filename: string; args: JsonValue | undefined; plan: PlanResult | null }) => void | Promise<void>;
  /**
   * Where `agent(p, { agentType })` finds `.claude/agents/<name>.md` (default:
   * `repository` at `baseCommit`); null: built-in agent types only.
   */
  agentDefinitions?: AgentDefinitionSource | null;
  /**
   * What the caller adds to the report (the estimate, links, planning done
   * in an earlier step), asked for when the report is built, so the one
   * rendering has it.
   */
  reportExtras?: () => RunReportExtras;
}

/** How the run is capped and reviewed; everything optional, defaults filled in one place. */
export interface WorkflowSettings {
  limits?: Partial<RunLimits>;
  sandbox?: Partial<SandboxLimits>;
  review?: Partial<ReviewConfig>;
  models?: Partial<Record<Role, string>>;
  /** The repository's model shortcuts (merged over the built-in ones). */
  modelAliases?: Record<string, string>;
  /** The price table models are checked against (default the built-in one). */
  prices?: PriceTable;
  /** Anthropic's web tools for agents; off when omitted. */
  web?: WebToolsConfig;
  protectedPaths?: string[];
  agentLimits?: AgentRunnerDeps["limits"];
  /** The repository's dynflow config, as the planner is shown it. */
  repoConfig?: unknown;
  /** Commands agents and checks may run in the sandbox; none when omitted. */
  commands?: CommandsConfig;
}

export interface WorkflowResult {
  runId: string;
  /** The branch the accepted changes were merged into. */
  branch: string;
  /** Where the branch points; the base commit when nothing was merged. */
  commit: string;
  outcome: RunOutcome;
  /** Every line of work, including lines that changed nothing. */
  lines: LineOutcome[];
  /** The lines as the report lists them (conflicted ones marked). */
  workers: WorkerOutcome[];
  reconcile: ReconcileResult;
  reportMarkdown: string;
  reportModel: ReportModel;
  /** Whether a pull request of this result must be a draft. */
  draft: boolean;
  /** Why it must be a draft, in words (empty when it need not be). */
  draftReasons: string[];
  /** The plan, when the script was planned from the task. */
  plan: PlanResult | null;
}
