/**
 * JavaScript evaluated inside the sandbox before the prelude. The engine has
 * no host objects to begin with; these guards exist so that reaching for one
 * fails with an error that says why, and so that clock and randomness, which
 * would break replay, are refused rather than silently different per run.
 */

/** File names of the sandbox's own guest code; error locations skip them. */
export const GUARDS_FILE = "dynflow:guards";
export const BRIDGE_FILE = "dynflow:bridge";
export const PRELUDE_FILE = "dynflow:prelude";

import { UNAWAITED_SOURCE } from "./unawaited-source.js";

const NO_HOST = "scripts have no host access; agents do the work";
const NO_NETWORK = "scripts have no network access; agents do the work";
const NO_TIMERS = "scripts have no timers, so that a run replays exactly; await agent(), parallel() or pipeline() instead";
const NO_CLOCK = "scripts have no clock or randomness, so that a run replays exactly; pass such values in through `args`";
const NO_GC = "garbage-collection timing differs between runs, so that a run would not replay exactly; use a Map or WeakMap";

const forbidden: [string, string][] = [
  ...["process", "require", "module", "exports", "Buffer", "__dirname", "__filename"].map((n): [string, string] => [n, NO_HOST]),
  ...["fetch", "XMLHttpRequest", "WebSocket", "EventSource"].map((n): [string, string] => [n, NO_NETWORK]),
  ...["setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"].map(
    (n): [string, string] => [n, NO_TIMERS],
  ),
];
const nondeterministic: [string, string][] = [
  ["performance", NO_CLOCK],
  ["crypto", NO_CLOCK],
  ["WeakRef", NO_GC],
  ["FinalizationRegistry", NO_GC],
];

/**
 * Installs the guards. Forbidden globals become accessors whose getter throws
 * (so `typeof process` throws too: a script has no use for feature detection of
 * host objects, and a loud reason beats a silent `undefined`); assigning one
 * replaces the accessor, so a script may still define its own `setTimeout`.
 */
export const GUARDS_SOURCE = `(function () {
"use strict";
var defineProperty = Object.defineProperty;
function makeError(name, code, message) {
  var error = new Error(message);
  error.name = name;
  error.code = code;
  return error;
}
function guard(name, why, errorName, code) {
  defineProperty(globalThis, name, {
    configurable: true,
    enumerable: false,
    get: function () {
      throw makeError(errorName, code, name + " is not available in a dynflow script: " + why);
    },
    set: function (value) {
      defineProperty(globalThis, name, { value: value, writable: true, configurable: true, enumerable: true });
    },
  });
}
${JSON.stringify(forbidden)}.forEach(function (entry) {
  guard(entry[0], entry[1], "ScriptForbiddenError", "script_forbidden");
});
${JSON.stringify(nondeterministic)}.forEach(function (entry) {
  guard(entry[0], entry[1], "ScriptNondeterministicError", "script_nondeterministic");
});

function clockError(what, instead) {
  return makeError("ScriptNondeterministicError", "script_nondeterministic",
    what + " is not available in a dynflow script: it reads the clock or randomness, and a run must replay exactly; " + instead);
}
var DATE_FIX = "pass a timestamp in through \`args\` and use new Date(timestamp)";
// Named Date for its .name; the real one is read from globalThis, which this declaration shadows here.
var RealDate = globalThis.Date;
var construct = Reflect.construct;
function Date() {
  if (new.target === undefined) throw clockError("Date()", DATE_FIX);
  if (arguments.length === 0) throw clockError("new Date()", DATE_FIX);
  return construct(RealDate, arguments, new.target);
}
defineProperty(Date, "prototype", { value: RealDate.prototype, writable: false });
defineProperty(Date, "length", { value: 7 });
defineProperty(RealDate.prototype, "constructor", { value: Date, writable: true, configurable: true, enumerable: false });
function method(target, name, fn) {
  defineProperty(target, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
method(Date, "UTC", RealDate.UTC);
method(Date, "parse", RealDate.parse);
method(Date, "now", function now() {
  throw clockError("Date.now()", DATE_FIX);
});
method(globalThis, "Date", Date);
method(Math, "random", function random() {
  throw clockError("Math.random()", "pass random values in through \`args\`, or derive them from the data (e.g. a hash)");
});
// Deterministic (a microtask, not a timer); failures of the callback are not reported.
method(globalThis, "queueMicrotask", function queueMicrotask(callback) {
  if (typeof callback !== "function") throw new TypeError("queueMicrotask: the argument must be a function");
  Promise.resolve().then(function () { callback(); });
});
})();`;

/**
 * The bridge: a function the worker calls once with its raw host functions.
 * It defines `globalThis.__dynflow` (see types.ts) and returns helpers the
 * worker keeps. Promises of host calls live here, keyed by call id, so that
 * settling them costs the worker one guest call per batch: `deliver` takes a
 * JSON array of `[id, 0, value]` (fulfilled), `[id, 1]` (fulfilled with
 * undefined) and `[id, 2, name, code, message]` (rejected) entries. A
 * rejection is the Error captured when the call was made, so its stack holds
 * the script line of the call.
 */
export const BRIDGE_SOURCE = `(function (raw) {
"use strict";
var stringify = JSON.stringify;
var parse = JSON.parse;
var PromiseCtor = Promise;
var ErrorCtor = Error;
var defineProperty = Object.defineProperty;
var promiseReject = Promise.reject;
var promiseResolve = Promise.resolve;
var pending = Object.create(null);
function call(name, ...args) {
  var id;
  try {
    id = raw.call(String(name), stringify(args));
  } catch (error) {
    return promiseReject.call(PromiseCtor, error);
  }
  // Captured now, so that a host failure points at the script line that made the call.
  var site = new ErrorCtor();
  return track(new PromiseCtor(function (resolve, reject) {
    pending[id] = [resolve, reject, site];
  }), name);
}
${UNAWAITED_SOURCE}
function notify(name, ...args) {
  raw.notify(String(name), stringify(args));
}
function state() {
  var json = raw.state();
  return json === undefined ? undefined : parse(json);
}
function compile(code, filename) {
  return raw.compile(String(code), String(filename));
}
defineProperty(globalThis, "__dynflow", {
  value: Object.freeze({ call: call, notify: notify, state: state, compile: compile, track: track }),
  writable: true,
  configurable: true,
  enumerable: false,
});
function makeError(name, code, message) {
  var error = new Error(message);
  error.name = name;
  if (code !== undefined) error.code = code;
  return error;
}
function hostError(site, name, code, message) {
  defineProperty(site, "message", { value: message, writable: true, configurable: true, enumerable: false });
  site.name = name;
  site.code = code;
  return site;
}
function deliver(text) {
  var batch = parse(text);
  for (var i = 0; i < batch.length; i++) {
    var entry = batch[i];
    var handlers = pending[entry[0]];
    if (handlers === undefined) continue;
    delete pending[entry[0]];
    if (entry[1] === 0) handlers[0](entry[2]);
    else if (entry[1] === 1) handlers[0](undefined);
    else handlers[1](hostError(handlers[2], entry[2], entry[3], entry[4]));
  }
}
function watch(completion) {
  promiseResolve.call(PromiseCtor, completion).then(function (value) {
    var unawaited = findUnawaited(value);
    if (unawaited !== null) {
      raw.fail(unawaitedError(unawaited), false);
      return;
    }
    var json;
    try {
      json = stringify(value);
    } catch (error) {
      raw.fail(error, true);
      return;
    }
    raw.done(json);
  }, function (error) {
    raw.fail(error, false);
  });
}
return { deliver: deliver, makeError: makeError, watch: watch };
})`;

/**
 * Source given to the engine for any `import()`: a module that throws, so the
 * import rejects with a coded error (the engine drops codes of loader errors).
 */
export function forbiddenModuleSource(specifier: string): string {
  const message =
    `import(${JSON.stringify(specifier)}) is not available in a dynflow script: scripts cannot load modules; ` +
    `everything a script needs is a global (agent, parallel, pipeline, workflow, ...)`;
  return `const error = new Error(${JSON.stringify(message)});
error.name = "ScriptForbiddenError";
error.code = "script_forbidden";
throw error;`;
}
