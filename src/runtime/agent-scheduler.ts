/**
 * Starts the agents a script asks for, under the run's caps and budgets, and
 * journals what they return so a re-run pays for nothing twice.
 *
 * Order matters for replay and fairness: calls are numbered, journal-checked
 * and queued in the order the script made them; excess calls wait in that
 * order for a free slot.
 */
import pLimit, { type LimitFunction } from "p-limit";
import { canonicalJson } from "./journal/canonical-json.js";
import { callContentHash, journalKey, OccurrenceCounter } from "./journal/journal-key.js";
import { HostBudgetMeter } from "./host-budgets.js";
import { compileSchema } from "./schema/compile-schema.js";
import { defaultAgentLabel } from "./agent-label.js";
import { AgentFailedError, AgentStoppedError, BudgetExhaustedError, CapExceededError, EstimateExceededError, InvalidScriptCallError, RunCancelledError } from "./errors.js";
import { normalizeAgentCall } from "./normalize-agent-options.js";
import {
  ZERO_USAGE,
  addUsage,
  totalTokens,
  type AgentOptions,
  type AgentPreparer,
  type AgentRecord,
  type AgentRunner,
  type Clock,
  type JournalEntry,
  type PhaseDefaults,
  type Journal,
  type RunEvent,
  type RunLimits,
  type RunStatus,
  type TokenUsage,
} from "./types.js";
import { abortReasonOf, messageOf, type DynflowError } from "../errors.js";

export interface AgentSchedulerOptions {
  runId: string;
  baseRevision: string;
  runner: AgentRunner;
  journal: Journal;
  limits: RunLimits;
  clock: Clock;
  emit: (event: RunEvent) => void;
  /** Aborted when the run is cancelled; in-flight agents see it. */
  signal: AbortSignal;
  /** Called after every change in spend (to refresh the script's `budget`). */
  onSpend?: () => void;
  /** The run's host budgets (queued prompt bytes, distinct schemas); defaults when omitted. */
  budget?: HostBudgetMeter;
  /** Resolves agent type, model, effort and tools of each call before it is keyed (default: options as given). */
  prepare?: AgentPreparer;
  /** The `meta.phases` entry of a phase title (main script and nested workflows), if any. */
  phaseDefaults?: (title: string) => PhaseDefaults | undefined;
}

/** Why the scheduler stopped accepting work (`error`: the run cannot go on, e.g. a model without a price). */
export interface Halt {
  status: Exclude<RunStatus, "ok">;
  error: DynflowError;
}

/** A call after its setup: ready to queue (with its journal entry, if any), failed, or fatal to the run. */
type Prepared =
  | { ok: true; options: AgentOptions; cached: JournalEntry | undefined }
  | { ok: false; error: string }
  | { ok: false; fatal: DynflowError };



export class AgentScheduler {
  /** Every agent call accepted so far, in call order. */
  readonly records: AgentRecord[] = [];
  readonly warnings: string[] = [];
  usage: TokenUsage = { ...ZERO_USAGE };
  costUsd = 0;
  freshUsage: TokenUsage = { ...ZERO_USAGE };
  freshCostUsd = 0;
  maxRunning = 0;

  private running = 0;
  /** Calls accepted under the cap that have not settled yet (queued, replaying or running). */
  private unsettled = 0;
  private halted: Halt | null = null;
  private closed = false;
  private readonly limit: LimitFunction;
  private readonly occurrences = new OccurrenceCounter();
  private readonly warnedKeys = new Set<string>();
  private lookupChain: Promise<unknown> = Promise.resolve();
  private idleWaiters: (() => void)[] = [];
  private readonly budget: HostBudgetMeter;
  /** Per-agent abort controllers of agents queued or running, for `stopAgent`. */
  private readonly stops = new Map<string, AbortController>();

  constructor(private readonly options: AgentSchedulerOptions) {
    this.budget = options.budget ?? new HostBudgetMeter();
    this.limit = pLimit(options.limits.maxConcurrency);
    options.signal.addEventListener("abort", () => this.halt({ status: "cancelled", error: cancelError(options.signal) }), {
      once: true,
    });
  }

  /** The reason the run stopped taking work, if it did. */
  get stopped(): Halt | null {
    return this.halted;
  }

  get tokensSpent(): number {
    return totalTokens(this.usage);
  }

  /**
   * Runs one `agent()` call. Resolves to its record, or `null` when the agent
   * failed. Rejects only for mistakes in the call itself (bad options, a
   * self-contradicting schema) and when the run stopped taking work.
   * `onQueued` receives the call's record as soon as it exists (it is updated
   * in place as the agent runs), so a caller can follow a call that fails or is
   * stopped too.
   */
  async call(
    prompt: unknown,
    rawOptions: unknown,
    currentPhase: string | null,
    onQueued?: (record: AgentRecord) => void,
  ): Promise<AgentRecord | null> {
    const call = normalizeAgentCall(prompt, rawOptions);
    for (const key of call.unknownKeys) this.warnUnknownOption(key);
    this.assertAccepting();

    const { limits } = this.options;
    if (this.records.length >= limits.maxAgents) {
      const error = new CapExceededError("maxAgents", limits.maxAgents);
      this.halt({ status: "capped", error });
      throw error;
    }
    const contract = limits.contract;
    if (contract && this.records.length >= Math.floor(contract.factor * contract.estimatedAgents)) {
      const error = new EstimateExceededError("agents", contract.estimatedAgents, contract.factor, this.records.length + 1);
      this.halt({ status: "capped", error });
      throw error;
    }
    // Compiling costs the host far more than a call: only after the caps, and only so many distinct schemas per run.
    let schema: ReturnType<typeof compileSchema> | null = null;
    if (call.options.schema !== undefined) {
      this.budget.schema(canonicalJson(call.options.schema));
      schema = compileSchema(call.options.schema);
    }
    // A queued prompt is held in memory until its agent runs: their total is bounded.
    const releasePrompt = this.budget.reservePrompt(call.prompt);

    const record: AgentRecord = {
      id: `a${this.records.length + 1}`,
      // Set once the call's options are resolved (see `setUp`).
      key: "",
      label: call.options.label ?? defaultAgentLabel(call.prompt),
      phase: call.options.phase ?? currentPhase,
      role: call.options.role ?? "worker",
      status: "failed",
      output: null,
      change: null,
      usage: { ...ZERO_USAGE },
      costUsd: 0,
      attempts: 0,
      meta: {},
    };
    this.records.push(record);
    this.stops.set(record.id, new AbortController());
    // Once the call settles, its prompt is no longer held and it can no longer be stopped.
    const release = () => {
      releasePrompt();
      this.stops.delete(record.id);
    };
    onQueued?.(record);
    this.emit({ type: "agent.queued", agentId: record.id, label: record.label, phase: record.phase, role: record.role });

    this.unsettled++;
    try {
      return await this.settle(record, call, schema, release);
    } finally {
      this.unsettled--;
      this.notifyIdle();
    }
  }

  /** Sets up an accepted call, then replays it from the journal or runs it; `release` frees its prompt's reservation. */
  private async settle(
    record: AgentRecord,
    call: ReturnType<typeof normalizeAgentCall>,
    schema: ReturnType<typeof compileSchema> | null,
    release: () => void,
  ): Promise<AgentRecord | null> {
    let prepared: Awaited<ReturnType<AgentScheduler["setUp"]>>;
    try {
      prepared = await this.setUp(record, call.prompt, call.options);
    } catch (error) {
      release();
      throw error;
    }
    if (!prepared.ok) {
      release();
      if ("error" in prepared) return this.fail(record, prepared.error);
      this.fail(record, prepared.fatal.message);
      this.halt({ status: "error", error: prepared.fatal });
      throw prepared.fatal;
    }
    const { cached } = prepared;
    if (cached) {
      release();
      Object.assign(record, {
        status: "cached",
        output: cached.output,
        change: cached.change,
        usage: cached.usage,
        costUsd: cached.costUsd,
        meta: cached.meta,
      });
      this.usage = addUsage(this.usage, cached.usage);
      this.costUsd += cached.costUsd;
      this.emit({ type: "agent.cached", agentId: record.id, usage: cached.usage, costUsd: cached.costUsd, change: cached.change });
      this.spendChanged();
      return record;
    }
    const options = prepared.options;
    return this.limit(() => this.execute(record, call.prompt, options, schema)).finally(release);
  }

  /**
   * Stops one agent, leaving the run going: a queued agent never starts, a
   * running one is aborted (its runner commits partial work and reports its
   * spend). Its call resolves `null`, its record is marked `stopped`. False
   * when the agent is unknown or has already settled.
   */
  stopAgent(agentId: string, reason: string): boolean {
    const controller = this.stops.get(agentId);
    if (controller === undefined || controller.signal.aborted) return false;
    controller.abort(new AgentStoppedError(agentId, reason));
    return true;
  }

  /** Resolves once the run has stopped taking work and no agent is running. */
  whenHaltedAndIdle(): Promise<Halt> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.halted && this.unsettled === 0) resolve(this.halted);
        else this.idleWaiters.push(check);
      };
      check();
    });
  }

  /**
   * The script has ended: refuse new calls and resolve once the agents still
   * running have finished (their results are paid for, so they are kept).
   */
  close(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => {
      const check = () => {
        if (this.unsettled === 0) resolve();
        else this.idleWaiters.push(check);
      };
      check();
    });
  }

  /** Stops new work. In-flight agents finish (or see the abort, on cancel). */
  halt(halt: Halt): void {
    if (this.halted) return;
    this.halted = halt;
    this.notifyIdle();
  }

  private async execute(
    record: AgentRecord,
    prompt: string,
    options: AgentOptions,
    schema: ReturnType<typeof compileSchema> | null,
  ): Promise<AgentRecord | null> {
    // A call accepted under the agents cap still runs when a later call hit the cap: it counts
    // within the cap. The budget, a cancel or another stop refuses it before it starts.
    if (this.halted && this.halted.status !== "capped") throw this.halted.error;
    const stop = this.stops.get(record.id)?.signal;
    if (stop?.aborted) return this.fail(record, stoppedText(stop), true);
    const budgetError = this.budgetError();
    if (budgetError) {
      this.halt({ status: budgetError instanceof EstimateExceededError ? "capped" : "budget-exhausted", error: budgetError });
      throw budgetError;
    }

    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.emit({ type: "agent.started", agentId: record.id });
    const validate = schema ? (value: unknown) => schema.validate(value) : () => ({ ok: true as const });
    // The agent sees the run's cancel and its own stop as one signal.
    const signal = stop ? AbortSignal.any([this.options.signal, stop]) : this.options.signal;
    let feedback: string | undefined;
    try {
      for (let attempt = 1; attempt <= this.options.limits.maxSchemaAttempts; attempt++) {
        record.attempts = attempt;
        let result;
        try {
          result = await this.options.runner.run({
            runId: this.options.runId,
            agentId: record.id,
            key: record.key,
            label: record.label,
            prompt,
            options,
            attempt,
            feedback,
            validate,
            signal,
          });
        } catch (error) {
          if (error instanceof AgentFailedError) {
            this.spend(record, error.usage, error.costUsd);
            record.change = error.change ?? record.change;
          }
          if (stop?.aborted) return this.fail(record, stoppedText(stop), true);
          if (error instanceof AgentFailedError && error.stopped) return this.fail(record, messageOf(error), true);
          return this.fail(record, messageOf(error));
        }
        this.spend(record, result.usage, result.costUsd);
        record.change = result.change ?? record.change;
        record.meta = result.meta ?? {};
        const verdict = validate(result.output);
        if (!verdict.ok) {
          // A stopped agent is not asked for another attempt.
          if (stop?.aborted) return this.fail(record, stoppedText(stop), true);
          feedback = verdict.error;
          continue;
        }
        record.status = "finished";
        record.output = result.output;
        await this.options.journal.put({
          key: record.key,
          label: record.label,
          output: result.output,
          change: record.change,
          usage: record.usage,
          costUsd: record.costUsd,
          meta: record.meta,
        });
        this.emit({ type: "agent.finished", agentId: record.id, usage: record.usage, costUsd: record.costUsd, change: record.change });
        return record;
      }
      return this.fail(
        record,
        `output failed its schema after ${this.options.limits.maxSchemaAttempts} attempts; last error: ${feedback ?? "unknown"}`,
      );
    } finally {
      this.running--;
      this.notifyIdle();
    }
  }

  private assertAccepting(): void {
    if (this.halted) throw this.halted.error;
    if (this.closed) throw new InvalidScriptCallError("agent() was called after the script had finished; await every agent() call");
  }

  private fail(record: AgentRecord, error: string, stopped = false): null {
    record.status = "failed";
    record.error = error;
    if (stopped) record.stopped = true;
    this.emit({ type: "agent.failed", agentId: record.id, error, usage: record.usage, costUsd: record.costUsd, ...(stopped ? { stopped: true } : {}) });
    return null;
  }

  private spend(record: AgentRecord, usage: TokenUsage, costUsd: number): void {
    record.usage = addUsage(record.usage, usage);
    record.costUsd += costUsd;
    this.usage = addUsage(this.usage, usage);
    this.costUsd += costUsd;
    this.freshUsage = addUsage(this.freshUsage, usage);
    this.freshCostUsd += costUsd;
    this.spendChanged();
  }

  private spendChanged(): void {
    const { budgetTokens, budgetUsd } = this.options.limits;
    this.emit({ type: "budget", spentTokens: this.tokensSpent, spentUsd: this.costUsd, budgetTokens, budgetUsd });
    this.options.onSpend?.();
  }

  private budgetError(): BudgetExhaustedError | EstimateExceededError | null {
    const { budgetTokens, budgetUsd, contract } = this.options.limits;
    if (contract && this.costUsd > contract.factor * contract.estimatedUsd) {
      return new EstimateExceededError("usd", contract.estimatedUsd, contract.factor, this.costUsd);
    }
    if (budgetTokens !== null && this.tokensSpent >= budgetTokens) {
      return new BudgetExhaustedError("tokens", budgetTokens, this.tokensSpent);
    }
    if (budgetUsd !== null && this.costUsd >= budgetUsd) return new BudgetExhaustedError("usd", budgetUsd, this.costUsd);
    return null;
  }

  /**
   * Resolves the call's options, keys it and looks it up in the journal.
   * Chained, so calls are numbered and reach the queue in call order whatever
   * each setup awaits.
   */
  private setUp(record: AgentRecord, prompt: string, options: AgentOptions): Promise<Prepared> {
    const step = this.lookupChain.then(async (): Promise<Prepared> => {
      let resolved = options;
      if (this.options.prepare) {
        let setup;
        try {
          setup = await this.options.prepare({ prompt, options, phase: this.phaseOf(record.phase) });
        } catch (error) {
          return { ok: false, error: `the agent could not be set up: ${messageOf(error)}` };
        }
        for (const warning of setup.warnings ?? []) this.warnOnce(warning);
        if (!setup.ok) return setup;
        resolved = setup.options;
      }
      const occurrence = this.occurrences.next(callContentHash(prompt, resolved));
      record.key = journalKey({ prompt, options: resolved, baseRevision: this.options.baseRevision, occurrence });
      return { ok: true, options: resolved, cached: await this.options.journal.get(record.key) };
    });
    this.lookupChain = step.catch(() => undefined);
    return step;
  }

  private phaseOf(title: string | null): PhaseDefaults | null {
    if (title === null) return null;
    return this.options.phaseDefaults?.(title) ?? { title };
  }

  private warnUnknownOption(key: string): void {
    this.warnOnce(`agent(): unknown option "${key}" ignored (see docs/plan-api.md for the options dynflow accepts)`);
  }

  private warnOnce(message: string): void {
    if (this.warnedKeys.has(message)) return;
    this.warnedKeys.add(message);
    this.warnings.push(message);
    this.emit({ type: "log", level: "warn", message });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private emit(event: DistributiveOmit<RunEvent, "at">): void {
    this.options.emit({ ...event, at: this.options.clock.now() } as RunEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function stoppedText(signal: AbortSignal): string {
  return signal.reason instanceof AgentStoppedError ? `stopped: ${signal.reason.reason}` : "stopped";
}

function cancelError(signal: AbortSignal): RunCancelledError {
  return new RunCancelledError(abortReasonOf(signal));
}
