/**
 * Row types of the tables as Kysely sees them (snake_case, JSON as text,
 * times as integer milliseconds). Only the store's query files use these;
 * everything else speaks the camelCase records of `types.ts`.
 */

export interface RunsTable {
  id: string;
  installation_id: number;
  owner: string;
  repo: string;
  issue_number: number | null;
  command_comment_id: number | null;
  requester: string | null;
  kind: string;
  task: string | null;
  workflow: string | null;
  args: string;
  base_ref: string | null;
  base_sha: string | null;
  status: string;
  script: string | null;
  plan: string | null;
  limits: string | null;
  status_comment_id: number | null;
  check_run_id: number | null;
  pr_number: number | null;
  result: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface JournalTable {
  run_id: string;
  key: string;
  /** Order of journaling within the run. */
  seq: number;
  label: string;
  output: string;
  change: string | null;
  usage: string;
  cost_usd: number;
  meta: string;
  created_at: number;
}

export interface RunEventsTable {
  run_id: string;
  seq: number;
  event: string;
  created_at: number;
}

export interface DeliveriesTable {
  delivery_id: string;
  name: string;
  received_at: number;
  /** Who handles it now (`<process id>/<token>`); null: recorded before claims existed, or done by `record`. */
  holder: string | null;
  /** Until when the holder's claim lasts (ms); a redelivery may take it over after. */
  claimed_until: number | null;
  /** When its command's run or reply existed (ms); null while it is being handled. */
  done_at: number | null;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface SchedulesTable {
  installation_id: number;
  owner: string;
  repo: string;
  name: string;
  cron: string;
  timezone: string;
  spec: string;
  next_run_at: number;
  last_run_at: number | null;
  updated_at: number;
}

export interface AuditIssuesTable {
  owner: string;
  repo: string;
  audit_name: string;
  issue_number: number;
  fingerprints: string;
  updated_at: number;
}

export interface TranscriptEntriesTable {
  run_id: string;
  agent_id: string;
  execution: string;
  seq: number;
  kind: string;
  body: string;
  bytes: number;
  created_at: number;
}

export interface TranscriptBudgetsTable {
  run_id: string;
  bytes: number;
  /** 1 once a batch was refused for the run's bound. */
  truncated: number;
  updated_at: number;
}

export interface RunControlsTable {
  run_id: string;
  seq: number;
  action: string;
  agent_id: string | null;
  requested_by: string | null;
  created_at: number;
}

export interface CiWaitsTable {
  run_id: string;
  installation_id: number;
  owner: string;
  repo: string;
  branch: string;
  head_sha: string;
  round: number;
  state: string;
  deadline: number;
  signals: number;
  pr_number: number | null;
  pr_node_id: string | null;
  ready_when_green: number;
  /** JSON: the `ci:` settings the wait was recorded with. */
  settings: string;
  /** JSON: one entry per finished round. */
  history: string;
  created_at: number;
  updated_at: number;
}

export interface BranchCleanupsTable {
  run_id: string;
  /** Closes of the run's pull request seen so far. */
  requests: number;
  /** The `requests` count whose cleanup finished last. */
  done: number;
  updated_at: number;
}

export interface ChangeObjectsTable {
  run_id: string;
  /** The change's commit id. */
  commit_id: string;
  /** The worker branch the change is on. */
  branch: string;
  /** JSON: the change's objects (`CarriedObject[]`). */
  objects: string;
  created_at: number;
}

export interface Database {
  runs: RunsTable;
  journal: JournalTable;
  run_events: RunEventsTable;
  deliveries: DeliveriesTable;
  leases: LeasesTable;
  schedules: SchedulesTable;
  audit_issues: AuditIssuesTable;
  transcript_entries: TranscriptEntriesTable;
  transcript_budgets: TranscriptBudgetsTable;
  run_controls: RunControlsTable;
  ci_waits: CiWaitsTable;
  branch_cleanups: BranchCleanupsTable;
  change_objects: ChangeObjectsTable;
}
