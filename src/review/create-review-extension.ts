/**
 * The `review` runtime extension: dynflow's additions to the script API for
 * repository facts, changes and refutation (`repo`, `worker`, `refute`,
 * `accept`, `discard`, `converge`; see docs/plan-api.md).
 */
import { countModuleFiles, detectModules } from "../plan/detect-modules.js";
import { InvalidScriptCallError } from "../runtime/errors.js";
import type { ExtensionContext, RuntimeExtension } from "../runtime/script-host.js";
import { isObject, type JsonValue } from "../runtime/types.js";
import type { WorkspaceReader } from "../workspace/index.js";
import { ReviewLedger } from "./review-ledger.js";
import { checkAgentOptions, ReviewOperations, type CheckRunner, type RefuteSettings, type RefuteTarget } from "./review-operations.js";
import { REVIEW_PRELUDE } from "./review-prelude.js";
import type { BuildResultSoFar, ReviewConfig } from "./types.js";

export interface ReviewExtensionOptions {
  /** The run's repository (only read-only views of the base commit are used). */
  repository: { readOnly(commit: string): Promise<WorkspaceReader> };
  baseCommit: string;
  config: ReviewConfig;
  /**
   * Builds the run's result so far, which `refute({ claim })` is judged on.
   * Without it (previews, tests without git) claims are judged at the base commit.
   */
  resultSoFar?: BuildResultSoFar;
  /** The run's configured checks; none: `check()` and `converge({ checks })` fail, and `repo.checks()` is empty. */
  checks?: (CheckRunner & { names: readonly string[] }) | null;
}

const MAX_REFUTERS = 16;
const MAX_ROUNDS = 10;
/** Options of `converge()` and `refute()` that are not agent options. */
const REVIEW_KEYS = ["rounds", "refuters", "instructions", "checks", "fromBase"] as const;

/** Creates the extension for one run, and the ledger to read its outcomes from afterwards. */
export function createReviewExtension(options: ReviewExtensionOptions): { extension: RuntimeExtension; review: ReviewLedger } {
  const config = checkConfig(options.config);
  const ledger = new ReviewLedger();
  const checks = options.checks ?? null;
  const operations = new ReviewOperations(ledger, config, options.baseCommit, options.resultSoFar, checks);
  let base: Promise<WorkspaceReader> | undefined;
  let all: Promise<string[]> | undefined;
  const view = () => (base ??= options.repository.readOnly(options.baseCommit));
  // Every scan walks the whole tree: each is charged its size against the run's budget before it runs.
  const scan = async (ctx: ExtensionContext): Promise<WorkspaceReader> => {
    const reader = await view();
    ctx.budget.repoScan((await (all ??= reader.list())).length);
    return reader;
  };

  const calls: RuntimeExtension["calls"] = {
    files: async ([glob], ctx) => (await scan(ctx)).list(typeof glob === "string" ? glob : undefined),
    modules: async (_args, ctx) => {
      const files = await (await scan(ctx)).list();
      const modules = config.modules?.length ? countModuleFiles(config.modules, files) : detectModules(files);
      return modules as unknown as JsonValue;
    },
    worker: async ([prompt, rawOptions, phase], ctx) => {
      const call = checkAgentOptions("worker", prompt, rawOptions);
      warnUnknown(ctx, "worker", call.unknownKeys);
      return json(await operations.worker(ctx, call.prompt, call.options, phaseOf(phase)));
    },
    refute: async ([target, rawOptions, phase], ctx) => {
      const settings = refuteSettings("refute", rawOptions, config);
      return json(await operations.refute(ctx, refuteTarget(target, ledger), settings, phaseOf(phase)));
    },
    converge: async ([prompt, rawOptions, phase], ctx) => {
      const { review, agent } = splitOptions(rawOptions);
      const call = checkAgentOptions("converge", prompt, agent);
      warnUnknown(ctx, "converge", call.unknownKeys);
      const settings = { ...refuteSettings("converge", review, config), rounds: roundsOf(review, config, ctx), checks: checksOf(review, checks), fromBase: fromBaseOf(review) };
      return json(await operations.converge(ctx, call.prompt, call.options, settings, phaseOf(phase)));
    },
    checks: async () => [...(checks?.names ?? [])],
    check: async ([id, name], ctx) => {
      const found = typeof id === "string" ? ledger.find(id) : undefined;
      if (!found || found.round.worker.state !== "finished") {
        throw new InvalidScriptCallError("check(change, name): not a change of this run; pass a value returned by worker() or converge()");
      }
      checkName("check(change, name)", name, checks);
      return json(await operations.check(ctx, found, name as string));
    },
    accept: async ([id]) => decide(ledger, "accept", id, null),
    discard: async ([id, reason]) => decide(ledger, "discard", id, typeof reason === "string" ? reason : null),
  };
  return { extension: { name: "review", prelude: REVIEW_PRELUDE, calls }, review: ledger };
}

/** `converge()`'s `checks`: names of configured commands. */
function checksOf(raw: JsonValue | undefined, checks: ReviewExtensionOptions["checks"]): string[] {
  const asked = isObject(raw) ? raw.checks : undefined;
  if (asked === undefined || asked === null) return [];
  if (!Array.isArray(asked)) throw new InvalidScriptCallError("converge(): opts.checks must be a list of command names, e.g. [\"test\"]");
  for (const name of asked) checkName("converge(): opts.checks", name, checks);
  return asked as string[];
}

function checkName(where: string, name: JsonValue | undefined, checks: ReviewExtensionOptions["checks"]): void {
  const names = checks?.names ?? [];
  if (typeof name !== "string" || !names.includes(name)) {
    const known = names.length > 0 ? `the configured commands are ${names.join(", ")}` : "this run has no sandboxed commands (see repo.checks())";
    throw new InvalidScriptCallError(`${where}: ${JSON.stringify(name ?? null)} is not a configured command; ${known}`);
  }
}

function checkConfig(config: ReviewConfig): ReviewConfig {
  const whole = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (!whole(config.refutersPerClaim, MAX_REFUTERS)) {
    throw new RangeError(`review config: refutersPerClaim must be a whole number from 1 to ${MAX_REFUTERS}; got ${config.refutersPerClaim}`);
  }
  if (!whole(config.maxRounds, MAX_ROUNDS)) {
    throw new RangeError(`review config: maxRounds must be a whole number from 1 to ${MAX_ROUNDS}; got ${config.maxRounds}`);
  }
  return config;
}

function decide(ledger: ReviewLedger, kind: "accept" | "discard", id: JsonValue | undefined, reason: string | null): Promise<undefined> {
  const found = typeof id === "string" ? ledger.find(id) : undefined;
  if (!found || found.round.worker.state !== "finished") {
    throw new InvalidScriptCallError(`${kind}(change): not a change of this run; pass a value returned by worker() or converge()`);
  }
  ledger.decide(id as string, kind, reason);
  return Promise.resolve(undefined);
}

function refuteTarget(target: JsonValue | undefined, ledger: ReviewLedger): RefuteTarget {
  const object = isObject(target) ? target : {};
  if (typeof object.id === "string") {
    const found = ledger.find(object.id);
    if (!found || found.round.worker.state !== "finished") {
      throw new InvalidScriptCallError("refute(change): not a change of this run; pass a value returned by worker() or converge()");
    }
    return { kind: "change", ...found };
  }
  if (typeof object.claim === "string" && object.claim.trim() !== "") {
    const label = typeof object.label === "string" && object.label.trim() ? object.label : `claim: ${object.claim.trim().split("\n", 1)[0]?.slice(0, 50)}`;
    return { kind: "claim", claim: object.claim, label };
  }
  throw new InvalidScriptCallError("refute(target): target must be a change from worker() or converge(), or { claim: string }");
}

function refuteSettings(fn: string, raw: JsonValue | undefined, config: ReviewConfig): RefuteSettings {
  const options = isObject(raw) ? raw : {};
  const refuters = options.refuters ?? config.refutersPerClaim;
  if (typeof refuters !== "number" || !Number.isInteger(refuters) || refuters < 1 || refuters > MAX_REFUTERS) {
    throw new InvalidScriptCallError(`${fn}(): opts.refuters must be a whole number from 1 to ${MAX_REFUTERS}`);
  }
  const settings: RefuteSettings = { refuters, instructions: typeof options.instructions === "string" ? options.instructions : null };
  if (fn === "refute") {
    if (typeof options.model === "string") settings.model = options.model;
    if (typeof options.maxTurns === "number" && Number.isInteger(options.maxTurns) && options.maxTurns >= 1) settings.maxTurns = options.maxTurns;
  }
  return settings;
}

/** Rounds of a `converge()`: its own ask, capped by the run's `maxRounds` (with a warning rather than a failed run). */
function roundsOf(raw: JsonValue | undefined, config: ReviewConfig, ctx: ExtensionContext): number {
  const asked = isObject(raw) ? raw.rounds : undefined;
  if (asked === undefined || asked === null) return config.maxRounds;
  if (typeof asked !== "number" || !Number.isInteger(asked) || asked < 1) {
    throw new InvalidScriptCallError("converge(): opts.rounds must be a whole number from 1 up");
  }
  if (asked > config.maxRounds) {
    ctx.log(`converge(): ${asked} rounds asked; the run's cap is ${config.maxRounds} (maxRounds), so ${config.maxRounds} are used`, "warn");
    return config.maxRounds;
  }
  return asked;
}

/** `converge()`'s `fromBase`: every round starts again from the base commit instead of from the last round's change. */
function fromBaseOf(raw: JsonValue | undefined): boolean {
  const asked = isObject(raw) ? raw.fromBase : undefined;
  if (asked === undefined || asked === null) return false;
  if (typeof asked !== "boolean") throw new InvalidScriptCallError(`converge(): opts.fromBase must be true or false, got ${JSON.stringify(asked)}`);
  return asked;
}

/** Splits `converge()` options into the review's and the worker agent's. */
function splitOptions(raw: JsonValue | undefined): { review: JsonValue; agent: JsonValue } {
  if (!isObject(raw)) return { review: null, agent: raw ?? null };
  const review: Record<string, JsonValue> = {};
  const agent: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if ((REVIEW_KEYS as readonly string[]).includes(key)) review[key] = value;
    else agent[key] = value;
  }
  return { review, agent };
}

function warnUnknown(ctx: ExtensionContext, fn: string, keys: string[]): void {
  for (const key of keys) ctx.log(`${fn}(): unknown option "${key}" ignored (see docs/plan-api.md)`, "warn");
}

function phaseOf(phase: JsonValue | undefined): string | null {
  return typeof phase === "string" ? phase : null;
}


function json(value: unknown): JsonValue {
  return value as JsonValue;
}
