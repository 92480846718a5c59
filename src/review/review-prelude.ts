/**
 * Guest code of the review extension: defines `repo`, `worker`, `refute`,
 * `check`, `accept`, `discard` and `converge` inside the sandbox. Only argument checks
 * live here (so a mistake fails at the script's line with a clear message);
 * the host repeats every check and does the work.
 */
export const REVIEW_PRELUDE = String.raw`
const call = api.call, define = api.define, makeError = api.makeError, currentPhase = api.currentPhase;

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? JSON.stringify(value.length > 40 ? value.slice(0, 39) + "…" : value) : typeof value;
}
function invalid(message) {
  return makeError("invalid_call", message);
}
function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
function checkPrompt(fn, prompt) {
  if (typeof prompt !== "string" || prompt.trim() === "") {
    throw invalid(fn + "(prompt, opts): prompt must be a non-empty string, got " + describe(prompt));
  }
}
function checkOptions(fn, opts) {
  if (opts !== undefined && opts !== null && !isObject(opts)) throw invalid(fn + "(): opts must be an object, got " + describe(opts));
}
function checkCount(fn, opts, key, max) {
  if (!isObject(opts) || opts[key] === undefined) return;
  const n = opts[key];
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > max) {
    throw invalid(fn + "(): opts." + key + " must be a whole number from 1 to " + max + ", got " + describe(n));
  }
}
function checkChange(fn, change) {
  if (!isObject(change) || typeof change.id !== "string" || typeof change.line !== "string") {
    throw invalid(fn + "(change): expected a change returned by worker() or converge(), got " + describe(change));
  }
}

const repo = Object.freeze({
  files(glob) {
    if (glob !== undefined && glob !== null && typeof glob !== "string") throw invalid("repo.files(glob): glob must be a string, got " + describe(glob));
    return call("files", glob === undefined ? null : glob);
  },
  modules() {
    return call("modules");
  },
  checks() {
    return call("checks");
  },
});

function check(change, name) {
  checkChange("check", change);
  if (typeof name !== "string" || name === "") throw invalid("check(change, name): name must be a configured command's name, got " + describe(name));
  return call("check", change.id, name);
}

function worker(prompt, opts) {
  checkPrompt("worker", prompt);
  checkOptions("worker", opts);
  return call("worker", prompt, opts === undefined ? null : opts, currentPhase());
}

function refute(target, opts) {
  if (!isObject(target) || (typeof target.id !== "string" && typeof target.claim !== "string")) {
    throw invalid("refute(target, opts): target must be a change from worker() or converge(), or { claim: string }, got " + describe(target));
  }
  checkOptions("refute", opts);
  checkCount("refute", opts, "refuters", 16);
  const subject = typeof target.id === "string" ? { id: target.id } : { claim: target.claim, label: typeof target.label === "string" ? target.label : null };
  return call("refute", subject, opts === undefined ? null : opts, currentPhase());
}

function accept(change) {
  checkChange("accept", change);
  return call("accept", change.id);
}

function discard(change, reason) {
  checkChange("discard", change);
  if (reason !== undefined && reason !== null && typeof reason !== "string") throw invalid("discard(change, reason): reason must be a string, got " + describe(reason));
  return call("discard", change.id, reason === undefined ? null : reason);
}

function converge(prompt, opts) {
  checkPrompt("converge", prompt);
  checkOptions("converge", opts);
  checkCount("converge", opts, "rounds", 10);
  checkCount("converge", opts, "refuters", 16);
  if (isObject(opts) && opts.checks !== undefined && opts.checks !== null && (!Array.isArray(opts.checks) || opts.checks.some((n) => typeof n !== "string"))) {
    throw invalid("converge(): opts.checks must be a list of command names, got " + describe(opts.checks));
  }
  return call("converge", prompt, opts === undefined ? null : opts, currentPhase());
}

define("repo", repo);
define("worker", worker);
define("refute", refute);
define("check", check);
define("accept", accept);
define("discard", discard);
define("converge", converge);
`;
