/**
 * Reads `options.subject` for the roles that take one. The subject crossed
 * the sandbox as JSON, so its shape is checked here, before any token is
 * spent, and a wrong shape fails the agent with a message naming the field.
 */
import { isObject, type ChangeRef, type JsonValue } from "../runtime/types.js";
import { InvalidAgentSubjectError } from "./errors.js";
import type { ResolverFile } from "./prompts/resolver-prompt.js";

/** What a refuter reviews: a claim, about a change or (change null) about the base. */
export interface RefuterSubject {
  change: ChangeRef | null;
  claim: string;
}

/** What a resolver resolves: every conflicted file of one change. */
export interface ResolverSubject {
  label: string;
  files: ResolverFile[];
  types: string[];
}

type Obj = { [key: string]: JsonValue };

const REFUTER_SHAPE = "{ change: ChangeRef | null, claim: string }";
const WORKER_SHAPE = "{ change: ChangeRef } (the attempt it starts from) or nothing";
const RESOLVER_SHAPE = "{ label: string, files: [{ path, base, ours, theirs, marked }] }";

/** Checks and returns a refuter's subject; throws `InvalidAgentSubjectError`. */
export function parseRefuterSubject(subject: JsonValue | undefined): RefuterSubject {
  const fail = (problem: string): never => {
    throw new InvalidAgentSubjectError("refuter", problem, REFUTER_SHAPE);
  };
  if (!isObject(subject)) return fail(`got ${kind(subject)}`);
  if (typeof subject.claim !== "string") return fail(`subject.claim must be a string, got ${kind(subject.claim)}`);
  const raw = subject.change;
  if (raw === undefined || raw === null) return { change: null, claim: subject.claim };
  return { change: toChange(raw, fail), claim: subject.claim };
}

/**
 * Checks and returns a worker's subject: none (it starts from the base), or
 * the change of an earlier attempt it starts from. Throws `InvalidAgentSubjectError`.
 */
export function parseWorkerSubject(subject: JsonValue | undefined): ChangeRef | null {
  const fail = (problem: string): never => {
    throw new InvalidAgentSubjectError("worker", problem, WORKER_SHAPE);
  };
  if (subject === undefined || subject === null) return null;
  if (!isObject(subject)) return fail(`got ${kind(subject)}`);
  const raw = subject.change;
  if (raw === undefined || raw === null) return null;
  return toChange(raw, fail);
}

function toChange(raw: JsonValue, fail: (problem: string) => never): ChangeRef {
  if (!isObject(raw)) return fail(`subject.change must be a change or null, got ${kind(raw)}`);
  if (typeof raw.commit !== "string" || typeof raw.base !== "string") {
    return fail("subject.change must carry the commit and base ids of the change");
  }
  const files = Array.isArray(raw.files) ? raw.files.filter((file): file is Obj => isObject(file)).map(toFile) : [];
  const sum = (key: "additions" | "deletions") => (typeof raw[key] === "number" ? raw[key] : files.reduce((n, f) => n + f[key], 0));
  return {
    branch: typeof raw.branch === "string" ? raw.branch : "",
    commit: raw.commit,
    base: raw.base,
    files,
    additions: sum("additions"),
    deletions: sum("deletions"),
    incomplete: raw.incomplete === true,
  };
}

/** Checks and returns a resolver's subject; throws `InvalidAgentSubjectError`. */
export function parseResolverSubject(subject: JsonValue | undefined): ResolverSubject {
  const fail = (problem: string): never => {
    throw new InvalidAgentSubjectError("resolver", problem, RESOLVER_SHAPE);
  };
  if (!isObject(subject)) return fail(`got ${kind(subject)}`);
  if (!Array.isArray(subject.files) || subject.files.length === 0) return fail("subject.files must list at least one conflicted file");
  const files = subject.files.map((file, i): ResolverFile => {
    if (!isObject(file) || typeof file.path !== "string") return fail(`subject.files[${i}] must be an object with a path`);
    const text = (key: string): string | null => {
      const value = file[key];
      if (value === undefined || value === null) return null;
      return typeof value === "string" ? value : fail(`subject.files[${i}].${key} must be a string or null`);
    };
    return { path: file.path, base: text("base"), ours: text("ours"), theirs: text("theirs"), marked: text("marked") };
  });
  const types = Array.isArray(subject.types) ? subject.types.filter((t): t is string => typeof t === "string") : [];
  return { label: typeof subject.label === "string" ? subject.label : "change", files, types };
}

function toFile(file: Obj): ChangeRef["files"][number] {
  const status = file.status === "added" || file.status === "deleted" ? file.status : "modified";
  const count = (value: JsonValue | undefined) => (typeof value === "number" ? value : 0);
  return { path: String(file.path ?? ""), status, additions: count(file.additions), deletions: count(file.deletions) };
}


function kind(value: JsonValue | undefined): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : typeof value;
}
