/**
 * Runs one plan script: validate it, start a sandbox, let the script call
 * agents under the run's caps and budgets, and return everything it produced.
 * Finished work is in the outcome whatever the status.
 */
import { setMaxListeners } from "node:events";
import { AgentScheduler, type Halt } from "./agent-scheduler.js";
import type { AgentStops } from "./agent-stops.js";
import { HostBudgetError, HostBudgetMeter, type HostBudgets } from "./host-budgets.js";
import { MemoryJournal } from "./journal/memory-journal.js";
import { prestartSandbox, startSandbox } from "./sandbox/start-sandbox.js";
import type { Sandbox, SandboxResult } from "./sandbox/types.js";
import { buildPrelude } from "./script-api/build-prelude.js";
import { createScriptHost, type RuntimeExtension, type WorkflowResolver } from "./script-host.js";
import { parseScript, type ParsedScript } from "./script/parse-script.js";
import { DynflowError, messageOf } from "../errors.js";
import {
  DEFAULT_RUN_LIMITS,
  DEFAULT_SANDBOX_LIMITS,
  systemClock,
  type AgentPreparer,
  type AgentRunner,
  type Clock,
  type Journal,
  type JsonValue,
  type PhaseDefaults,
  type RunErrorInfo,
  type RunEvent,
  type RunLimits,
  type RunOutcome,
  type SandboxLimits,
  type ScriptMeta,
} from "./types.js";
import { validateLimits } from "./validate-limits.js";
import { errorOutcome } from "./error-outcome.js";

export interface RunScriptOptions {
  runId: string;
  /** The plan script's source. */
  source: string;
  /** File name used in error locations. */
  filename?: string;
  /** Value of the script's `args`. */
  args?: JsonValue;
  /** The commit the run works from; part of every journal key. */
  baseRevision: string;
  runner: AgentRunner;
  /** Defaults to a fresh in-memory journal. */
  journal?: Journal;
  limits?: Partial<RunLimits>;
  sandbox?: Partial<SandboxLimits>;
  onEvent?: (event: RunEvent) => void;
  /** Abort to cancel the run: no new agents; in-flight agents see the signal. */
  signal?: AbortSignal;
  clock?: Clock;
  resolveWorkflow?: WorkflowResolver;
  extensions?: RuntimeExtension[];
  /** Lets the caller stop single agents while the run goes on (see `AgentStops`). */
  agentStops?: AgentStops;
  /** What the host may do on the script's behalf; defaults `DEFAULT_HOST_BUDGETS`. */
  hostBudgets?: Partial<HostBudgets>;
  /** Resolves agent types, model shortcuts, effort and tools of each `agent()` call (see `AgentPreparer`). */
  prepareAgent?: AgentPreparer;
}

/**
 * Starts, ahead of time, the sandbox a `runScript` with these sandbox limits
 * (`RunScriptOptions.sandbox`) will take: for a run that is known to start
 * soon in this process (the execution right after its plan).
 */
export function prestartScriptSandbox(sandbox?: Partial<SandboxLimits>): void {
  prestartSandbox({ ...DEFAULT_SANDBOX_LIMITS, ...sandbox });
}

/** Runs a plan script to the end (or to the cap, budget or cancellation that stops it). */
export async function runScript(options: RunScriptOptions): Promise<RunOutcome> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const emit = options.onEvent ?? (() => {});
  const limits = validateLimits({ ...DEFAULT_RUN_LIMITS, ...options.limits });
  const sandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...options.sandbox };
  const logs: string[] = [];
  const phaseOrder: string[] = [];
  const phaseSeen = new Set<string>();
  const budget = new HostBudgetMeter(options.hostBudgets);

  let parsed: ParsedScript;
  try {
    parsed = parseScript(options.source, options.filename ?? "script.js");
  } catch (error) {
    return errorOutcome(options.runId, toErrorInfo(error), clock.now() - startedAt);
  }
  for (const title of parsed.meta.phases?.map((p) => p.title) ?? []) {
    if (!phaseSeen.has(title)) phaseOrder.push(title);
    phaseSeen.add(title);
  }
  const phaseDefaults = new Map<string, PhaseDefaults>();
  const addPhaseDefaults = (meta: ScriptMeta) => {
    for (const entry of phaseDefaultsOf(meta)) if (!phaseDefaults.has(entry.title)) phaseDefaults.set(entry.title, entry);
  };
  addPhaseDefaults(parsed.meta);
  emit({ type: "run.started", runId: options.runId, at: startedAt, meta: parsed.meta });

  // One controller for the whole run: an outside cancel and our own stop both reach agents.
  const controller = new AbortController();
  // Every agent in flight listens to this one signal: hundreds of listeners are expected, not a leak.
  setMaxListeners(0, controller.signal);
  const onOutsideAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onOutsideAbort();
  else options.signal?.addEventListener("abort", onOutsideAbort, { once: true });

  let sandbox: Sandbox | undefined;
  const scheduler: AgentScheduler = new AgentScheduler({
    runId: options.runId,
    baseRevision: options.baseRevision,
    runner: options.runner,
    journal: options.journal ?? new MemoryJournal(),
    limits,
    clock,
    emit,
    signal: controller.signal,
    onSpend: () => sandbox?.pushState(budgetState()),
    budget,
    prepare: options.prepareAgent,
    phaseDefaults: (title) => phaseDefaults.get(title),
  });
  const detachStops = options.agentStops?.attach((agentId, reason) => scheduler.stopAgent(agentId, reason));
  const budgetState = (): JsonValue => ({
    budget: {
      totalTokens: limits.budgetTokens,
      spentTokens: scheduler.tokensSpent,
      totalUsd: limits.budgetUsd,
      spentUsd: scheduler.costUsd,
    },
  });

  const host = createScriptHost({
    scheduler,
    extensions: options.extensions ?? [],
    resolveWorkflow: options.resolveWorkflow,
    emit,
    now: () => clock.now(),
    signal: controller.signal,
    budget,
    onPhase: (given) => {
      // Once the run has stopped taking work, later phases change nothing.
      if (scheduler.stopped) return;
      let title: string;
      try {
        title = budget.phase(given);
      } catch (error) {
        // A notification cannot reject: too many phases stop the run like a cap, keeping what finished.
        if (error instanceof HostBudgetError) return scheduler.halt({ status: "capped", error });
        throw error;
      }
      if (!phaseSeen.has(title)) phaseOrder.push(title);
      phaseSeen.add(title);
      emit({ type: "phase", title, at: clock.now() });
    },
    onLog: (message, level) => {
      const kept = budget.log(message);
      if (kept === "drop") return;
      const text = kept === "keep" ? message : `log(): the run's ${budget.budgets.maxLogBytes.toLocaleString("en-US")} bytes of log messages (maxLogBytes) are used up; later messages are dropped`;
      logs.push(text);
      emit({ type: "log", level: kept === "keep" ? level : "warn", message: text, at: clock.now() });
    },
    onWorkflowLoaded: addPhaseDefaults,
  });

  let result: SandboxResult | { halted: Halt };
  try {
    sandbox = await startSandbox({ limits: sandboxLimits, host });
    sandbox.pushState(budgetState());
    const argsLiteral = options.args === undefined ? "undefined" : JSON.stringify(options.args);
    const program = {
      prelude: buildPrelude({
        maxItems: limits.maxItems,
        extensions: (options.extensions ?? []).flatMap((e) => (e.prelude ? [{ name: e.name, source: e.prelude }] : [])),
      }),
      main: `__dynflow_start(${parsed.functionSource}, ${argsLiteral})`,
      filename: parsed.filename,
    };
    // A cap, budget or cancel stops the run once in-flight agents are done, even
    // if the script is still waiting on calls that will never start.
    result = await Promise.race([sandbox.run(program), scheduler.whenHaltedAndIdle().then((halted) => ({ halted }))]);
    // Agents the script left running are paid for: wait for them and keep their results.
    await scheduler.close();
  } finally {
    detachStops?.();
    options.signal?.removeEventListener("abort", onOutsideAbort);
    await sandbox?.terminate();
  }

  const halt = "halted" in result ? result.halted : scheduler.stopped;
  const outcome: RunOutcome = {
    runId: options.runId,
    status: halt ? halt.status : "ok",
    error: halt ? toErrorInfo(halt.error) : null,
    result: undefined,
    meta: parsed.meta,
    agents: scheduler.records,
    stats: {
      total: scheduler.records.length,
      maxConcurrent: scheduler.maxRunning,
      failed: scheduler.records.filter((r) => r.status === "failed").length,
      cached: scheduler.records.filter((r) => r.status === "cached").length,
    },
    phases: countByPhase(phaseOrder, scheduler.records),
    usage: scheduler.usage,
    costUsd: scheduler.costUsd,
    freshUsage: scheduler.freshUsage,
    freshCostUsd: scheduler.freshCostUsd,
    wallMs: clock.now() - startedAt,
    logs,
    warnings: scheduler.warnings,
  };
  if (!halt && "ok" in result) {
    if (result.ok) outcome.result = result.value;
    else {
      outcome.status = "error";
      outcome.error = result.error;
    }
  }
  emit({ type: "run.finished", runId: options.runId, at: clock.now(), status: outcome.status, error: outcome.error });
  return outcome;
}

/** The `meta.phases` entries with their agent defaults (`model`, `effort`), as plain strings. */
function phaseDefaultsOf(meta: ScriptMeta): PhaseDefaults[] {
  return (meta.phases ?? []).map((entry) => ({
    title: entry.title,
    ...(typeof entry.model === "string" ? { model: entry.model } : {}),
    ...(typeof entry.effort === "string" ? { effort: entry.effort } : {}),
  }));
}

function toErrorInfo(error: unknown): RunErrorInfo {
  if (error instanceof DynflowError) {
    const info: RunErrorInfo = { code: error.code, message: error.message };
    const located = error as DynflowError & { line?: unknown; file?: unknown };
    if (typeof located.line === "number") info.line = located.line;
    if (typeof located.file === "string") info.file = located.file;
    return info;
  }
  return { code: "internal", message: messageOf(error) };
}


/** Agents per phase, in one pass over the records. */
function countByPhase(order: readonly string[], records: readonly { phase: string | null }[]): { title: string; agents: number }[] {
  const counts = new Map<string, number>();
  for (const record of records) if (record.phase !== null) counts.set(record.phase, (counts.get(record.phase) ?? 0) + 1);
  return order.map((title) => ({ title, agents: counts.get(title) ?? 0 }));
}
