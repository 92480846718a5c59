/**
 * What `worker()`, `refute()` and `converge()` do on the host: start agents
 * through the run's scheduler (so caps, budget and journal apply), and keep
 * the ledger up to date as they settle.
 */
import type { RefutationVote } from "../agents/types.js";
import { InvalidScriptCallError } from "../runtime/errors.js";
import { defaultAgentLabel } from "../runtime/agent-label.js";
import { normalizeAgentCall } from "../runtime/normalize-agent-options.js";
import { compileSchema } from "../runtime/schema/compile-schema.js";
import type { ExtensionContext } from "../runtime/script-host.js";
import { isObject, type AgentOptions, type AgentRecord, type ChangeRef, type JsonValue } from "../runtime/types.js";
import { claimOfChange, feedbackPrompt, refuterPrompt, resultSoFarNote } from "./build-prompts.js";
import { decideReview } from "./decide-review.js";
import type { LedgerCall, Line, ReviewEntry, Round } from "./ledger-entries.js";
import type { ReviewLedger } from "./review-ledger.js";
import { summaryOf, toScriptChange } from "./to-script-change.js";
import type { BuildResultSoFar, Change, ClaimOutcome, ConvergeResult, ReviewConfig, ScriptReview } from "./types.js";
import { VERDICT_SCHEMA } from "./verdict-schema.js";
import { messageOf } from "../errors.js";
import { fenceFor } from "../report/escape-markdown.js";

/** Options of `refute()` and the review part of `converge()`. */
export interface RefuteSettings {
  refuters: number;
  instructions: string | null;
  model?: string;
  maxTurns?: number;
}

/** Runs a configured check on a commit's tree (the run's sandbox; see `RunCommands.check`). */
export interface CheckRunner {
  /** `replayed`: the result came from the journal. */
  run(name: string, commit: string, signal?: AbortSignal): Promise<{ passed: boolean; exitCode: number; output: string; command: string; replayed?: boolean }>;
}

/** A `refute()` target: a change of this run, or a claim with no change. */
export type RefuteTarget = { kind: "change"; line: Line; round: Round } | { kind: "claim"; claim: string; label: string };


export class ReviewOperations {
  constructor(
    private readonly ledger: ReviewLedger,
    private readonly config: ReviewConfig,
    private readonly baseCommit: string,
    /** Builds the tree a claim is judged on; without it, claims are judged at the base commit. */
    private readonly resultSoFar?: BuildResultSoFar,
    private readonly checks: CheckRunner | null = null,
  ) {}

  /**
   * `check(change, name)`: the named command on the change's tree (the base
   * when it changed nothing); `target` names the change in the run's progress.
   */
  async check(ctx: ExtensionContext, target: { line: Line; round: Round }, name: string): Promise<{ passed: boolean; exitCode: number; output: string }> {
    if (!this.checks) throw new InvalidScriptCallError(`check(change, "${name}"): this run has no sandboxed commands`);
    const commit = target.round.worker.record?.change?.commit ?? this.baseCommit;
    const result = await this.checks.run(name, commit, ctx.signal);
    logCheck(ctx, name, roundLabel(target.line.label, target.round.round), result);
    return { passed: result.passed, exitCode: result.exitCode, output: result.output };
  }

  /** `worker(prompt, opts)`: one worker on a new line; its change, or null when it failed. */
  async worker(ctx: ExtensionContext, prompt: string, options: AgentOptions, phase: string | null): Promise<Change | null> {
    const line = this.ledger.openLine("worker", options.label ?? defaultAgentLabel(prompt), prompt);
    const record = await this.runRound(ctx, line, prompt, options, phase);
    return record && toScriptChange(line, line.rounds.at(-1) as Round, record, this.baseCommit);
  }

  /** `refute(target, opts)`: independent refuters in parallel, combined by the decision rule. */
  async refute(ctx: ExtensionContext, target: RefuteTarget, settings: RefuteSettings, phase: string | null): Promise<ScriptReview> {
    const entry: ReviewEntry = { state: "pending", refuters: [], verdict: null, votes: [], evidence: "" };
    let change: ChangeRef | null = null;
    let claim: string;
    let label: string;
    let note = "";
    if (target.kind === "change") {
      const record = target.round.worker.record as AgentRecord;
      change = record.change;
      claim = claimOfChange(target.line.task, summaryOf(record), change !== null);
      label = roundLabel(target.line.label, target.round.round);
      target.round.reviews.push(entry);
    } else {
      claim = target.claim;
      label = target.label;
      // A claim speaks about what the run has built so far (a post-migration audit), not about the base.
      const judged = await this.judgeOn(ctx);
      change = judged.change;
      if (judged.outcome.kind === "result") note = resultSoFarNote(judged.outcome.merged, judged.outcome.left);
      this.ledger.addClaim({ label, claim, judged: judged.outcome, review: entry });
    }
    const prompt = refuterPrompt(settings.instructions) + note;
    const subject = { change: change as unknown as JsonValue, claim };
    const options: AgentOptions = { role: "refuter", schema: VERDICT_SCHEMA, subject };
    if (settings.model !== undefined) options.model = settings.model;
    if (settings.maxTurns !== undefined) options.maxTurns = settings.maxTurns;

    const runs = Array.from({ length: settings.refuters }, (_, i) => {
      const refuterLabel = `${label} · refuter ${i + 1}`;
      const call = this.ledger.track(refuterLabel, "refuter");
      entry.refuters.push(call);
      return this.runAgent(ctx, call, prompt, { ...options, label: refuterLabel }, phase);
    });
    const settled = await Promise.allSettled(runs);
    const stop = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (stop) {
      entry.state = "stopped";
      throw stop.reason;
    }
    const votes = settled.map((s, i) => toVote((s as PromiseFulfilledResult<AgentRecord | null>).value, i));
    const decision = decideReview(votes);
    Object.assign(entry, { state: "done", votes, verdict: decision.verdict, evidence: decision.evidence });
    return { verdict: decision.verdict, votes: votes.map(({ verdict, evidence }) => ({ verdict, evidence })), evidence: decision.evidence };
  }

  /**
   * `converge(prompt, opts)`: worker → refute → re-dispatch with the refutation
   * as feedback, on one line, until upheld or out of rounds.
   */
  async converge(
    ctx: ExtensionContext,
    prompt: string,
    options: AgentOptions,
    settings: RefuteSettings & { rounds: number; checks?: readonly string[]; fromBase?: boolean },
    phase: string | null,
  ): Promise<ConvergeResult> {
    const line = this.ledger.openLine("converge", options.label ?? defaultAgentLabel(prompt), prompt);
    let roundPrompt = prompt;
    let roundOptions = options;
    for (let n = 1; ; n++) {
      const record = await this.runRound(ctx, line, roundPrompt, roundOptions, phase);
      const round = line.rounds.at(-1) as Round;
      if (!record) return { status: "failed", change: null, review: null, rounds: n };
      const change = toScriptChange(line, round, record, this.baseCommit);
      // Checks first: they cost no tokens, and a change that fails them goes back without a refuter.
      let review = record.change === null ? null : await this.runChecks(ctx, line, round, record.change.commit, settings.checks ?? []);
      if (!review) {
        // "Nothing to change" is a claim like any change: refuted, it is redone with the evidence.
        review = await this.refute(ctx, { kind: "change", line, round }, settings, phase);
        if (review.verdict === "upheld") return { status: record.change === null ? "unchanged" : "accepted", change, review, rounds: n };
        if (review.verdict === "unverified") return { status: "unverified", change, review, rounds: n };
      }
      if (n >= settings.rounds) return { status: "refuted", change, review, rounds: n };
      // The next round continues from this one's change (what it got right is not paid for again), unless the script asked otherwise.
      const from = settings.fromBase ? null : record.change;
      roundPrompt = feedbackPrompt(prompt, n, record.change?.branch ?? null, round.reviews.at(-1)?.votes ?? [], from !== null);
      roundOptions = from === null ? options : { ...options, subject: { change: from as unknown as JsonValue } };
    }
  }

  /**
   * The tree a claim is judged on: the base with every change that would be
   * merged now (accepted, unverified and unreviewed lines, in line order), or
   * the base itself when nothing is (yet).
   */
  private async judgeOn(ctx: ExtensionContext): Promise<{ change: ChangeRef | null; outcome: ClaimOutcome["judged"] }> {
    const { toMerge } = this.ledger.outcomes({ agents: [...ctx.agents()], error: null });
    if (toMerge.length === 0 || !this.resultSoFar) return { change: null, outcome: { kind: "base", commit: this.baseCommit } };
    const built = await this.resultSoFar(toMerge);
    if (built.merged.length === 0) return { change: null, outcome: { kind: "base", commit: this.baseCommit } };
    return { change: built.change, outcome: { kind: "result", commit: built.change.commit, merged: built.merged, left: built.left } };
  }

  /**
   * Runs `names` in order on the round's change; the first that fails is
   * recorded as a refutation of the round (its command, exit code and output
   * as evidence) and returned. Null when all passed.
   */
  private async runChecks(ctx: ExtensionContext, line: Line, round: Round, commit: string, names: readonly string[]): Promise<ScriptReview | null> {
    for (const name of names) {
      if (!this.checks) throw new InvalidScriptCallError(`converge(): checks need sandboxed commands, and this run has none`);
      const result = await this.checks.run(name, commit, ctx.signal);
      logCheck(ctx, name, roundLabel(line.label, round.round), result);
      if (result.passed) continue;
      const tail = result.output.trimEnd().slice(-4000);
      const fence = fenceFor(tail);
      const evidence = `Check \`${name}\` (\`${result.command}\`) failed with exit code ${result.exitCode}:\n\n${fence}\n${tail}\n${fence}`;
      const vote: RefutationVote = { verdict: "refuted", evidence, agentId: null };
      round.reviews.push({ state: "done", refuters: [], verdict: "refuted", votes: [vote], evidence });
      return { verdict: "refuted", votes: [{ verdict: "refuted", evidence }], evidence };
    }
    return null;
  }

  /** One worker round of a line. */
  private runRound(ctx: ExtensionContext, line: Line, prompt: string, options: AgentOptions, phase: string | null): Promise<AgentRecord | null> {
    const label = roundLabel(line.label, line.rounds.length + 1);
    const call = this.ledger.track(label, "worker");
    this.ledger.addRound(line, prompt, call);
    return this.runAgent(ctx, call, prompt, { ...options, role: "worker", label }, phase);
  }

  /** Runs one agent and settles its ledger entry; rethrows when the run stopped taking work. */
  private async runAgent(ctx: ExtensionContext, call: LedgerCall, prompt: string, options: AgentOptions, phase: string | null) {
    let record: AgentRecord | null;
    try {
      record = await ctx.agent(prompt, options, phase, (queued) => this.ledger.attach(call, queued));
    } catch (error) {
      this.ledger.stop(call, messageOf(error));
      throw error;
    }
    this.ledger.settle(call, record);
    return record;
  }
}

/**
 * Checks a script's agent options the way `agent()` does, before any line is
 * opened, so a bad call fails without leaving a half-made line behind.
 */
export function checkAgentOptions(fn: string, prompt: unknown, raw: unknown): { prompt: string; options: AgentOptions; unknownKeys: string[] } {
  let call;
  try {
    call = normalizeAgentCall(prompt, raw);
  } catch (error) {
    if (error instanceof InvalidScriptCallError) throw new InvalidScriptCallError(error.message.replace(/^agent\(/, `${fn}(`));
    throw error;
  }
  if (call.options.schema !== undefined) compileSchema(call.options.schema);
  return { prompt: call.prompt, options: call.options, unknownKeys: call.unknownKeys };
}

function toVote(record: AgentRecord | null, index: number): RefutationVote {
  const output = record?.output;
  if (record && isObject(output)) {
    const verdict = output.verdict === "refuted" ? "refuted" : "upheld";
    const evidence = typeof output.evidence === "string" ? output.evidence : "";
    return { verdict, evidence: evidence + commandEvidence(output.failingCommand), agentId: record.id };
  }
  return { verdict: "unverified", evidence: `refuter ${index + 1} could not run (the agent failed)`, agentId: null };
}

/** A failing command a refuter cites, as part of its evidence (the report and the next round's worker read it). */
export function commandEvidence(cited: JsonValue | undefined): string {
  if (!isObject(cited) || typeof cited.command !== "string") return "";
  const exit = typeof cited.exitCode === "number" ? cited.exitCode : "?";
  const output = typeof cited.output === "string" ? cited.output.trimEnd() : "";
  const tail = output.slice(-4000);
  const fence = fenceFor(tail);
  return `\n\nFailing command: \`${cited.command}\` exited with code ${exit}${output ? `:\n\n${fence}\n${tail}\n${fence}` : ""}`;
}

/** One progress line per check (the status comment, the check run and the dashboard show the run's log). */
function logCheck(ctx: ExtensionContext, name: string, subject: string, result: { passed: boolean; exitCode: number; replayed?: boolean }): void {
  const verdict = result.passed ? "passed" : `failed (exit ${result.exitCode})`;
  ctx.log(`check ${name} on ${subject}: ${verdict}${result.replayed ? " (journaled result)" : ""}`, result.passed ? "info" : "warn");
}

function roundLabel(label: string, round: number): string {
  return round > 1 ? `${label} · round ${round}` : label;
}

