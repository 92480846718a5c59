/**
 * The guest side of the script API: JavaScript evaluated inside the sandbox
 * before the script, defining `agent`, `parallel`, `pipeline`, `phase`, `log`
 * and `budget` on top of the sandbox bridge (see sandbox/types.ts), and the
 * `workflow` function the run's script is started with.
 *
 * Only argument checks and control flow live here; every decision that
 * matters (caps, budgets, journal, schemas) is made by the host.
 */

/** Guest-side additions to the script API, installed after the core globals. */
export interface PreludeExtension {
  /**
   * Body of a guest function `(api) => void`. `api` offers `call(name, ...args)`
   * for the extension's host calls (already namespaced), `agent`, `define(name,
   * value)` for new globals, `makeError(code, message)` and `currentPhase()`.
   */
  source: string;
  /** Namespace of its host calls: guest `api.call("x")` reaches host `"<name>.x"`. */
  name: string;
}

export interface PreludeConfig {
  maxItems: number;
  extensions?: PreludeExtension[];
}

/** Builds the prelude's source for one run. */
export function buildPrelude(config: PreludeConfig): string {
  const extensions = (config.extensions ?? [])
    .map((ext) => `[${JSON.stringify(ext.name)}, function (api) {\n${ext.source}\n}]`)
    .join(",\n");
  return `(function (bridge, config, extensions) {
"use strict";
const call = bridge.call, notify = bridge.notify, state = bridge.state, compile = bridge.compile, track = bridge.track;
delete globalThis.__dynflow;

let currentPhase = null;

function makeError(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

// Script API functions remember where their promises come from, so an unawaited one is reported with its line.
function tracked(name, fn) {
  const wrapper = function () {
    return track(fn.apply(this, arguments), name);
  };
  Object.defineProperty(wrapper, "name", { value: fn.name || name });
  Object.defineProperty(wrapper, "length", { value: fn.length });
  return wrapper;
}

function define(name, value) {
  Object.defineProperty(globalThis, name, { value: typeof value === "function" ? tracked(name, value) : value, writable: false, enumerable: false, configurable: false });
}

function checkList(fn, list, what) {
  if (!Array.isArray(list)) {
    throw makeError("invalid_call", fn + "(): expected an array of " + what + ", got " + (list === null ? "null" : typeof list));
  }
  if (list.length > config.maxItems) {
    throw makeError("items_cap_exceeded", fn + "() got " + list.length + " items; the limit is " + config.maxItems +
      " per call. Split the list into chunks of at most " + config.maxItems + ".");
  }
}

function agent(prompt, opts) {
  return call("agent", prompt, opts === undefined ? null : opts, currentPhase);
}

function parallel(thunks) {
  checkList("parallel", thunks, "functions");
  return Promise.all(thunks.map(async (thunk, index) => {
    try {
      return await (typeof thunk === "function" ? thunk() : thunk);
    } catch (error) {
      notify("warn", "parallel(): item " + index + " failed and resolves to null: " + (error && error.message || String(error)));
      return null;
    }
  }));
}

function pipeline(items, ...stages) {
  checkList("pipeline", items, "items");
  stages.forEach((stage, i) => {
    if (typeof stage !== "function") throw makeError("invalid_call", "pipeline(): stage " + (i + 1) + " is not a function");
  });
  return Promise.all(items.map(async (item, index) => {
    let value = item;
    for (let i = 0; i < stages.length; i++) {
      try {
        value = await stages[i](value, item, index);
      } catch (error) {
        notify("warn", "pipeline(): item " + index + " failed in stage " + (i + 1) + " and resolves to null: " + (error && error.message || String(error)));
        return null;
      }
      if (value === null || value === undefined) return null;
    }
    return value;
  }));
}

function phase(title) {
  currentPhase = String(title);
  notify("phase", currentPhase);
}

function log(message) {
  notify("log", typeof message === "string" ? message : JSON.stringify(message));
}

function tokenBudget() {
  return state().budget;
}

const budget = Object.freeze({
  get total() { return tokenBudget().totalTokens; },
  spent() { return tokenBudget().spentTokens; },
  remaining() {
    const b = tokenBudget();
    return b.totalTokens === null ? Infinity : Math.max(0, b.totalTokens - b.spentTokens);
  },
  usd: Object.freeze({
    get total() { return tokenBudget().totalUsd; },
    spent() { return tokenBudget().spentUsd; },
    remaining() {
      const b = tokenBudget();
      return b.totalUsd === null ? Infinity : Math.max(0, b.totalUsd - b.spentUsd);
    },
  }),
});

// Each workflow function carries the host's token of the script it was given to; the host counts the depth.
function makeWorkflow(parent) {
  return async function workflow(ref, workflowArgs) {
    const loaded = await call("workflow", ref === undefined ? null : ref, parent);
    const run = compile(loaded.functionSource, loaded.filename);
    return run(workflowArgs, makeWorkflow(loaded.token));
  };
}
const workflow = makeWorkflow(null);

define("agent", agent);
define("parallel", parallel);
define("pipeline", pipeline);
define("phase", phase);
define("log", log);
define("budget", budget);
// The run's script receives \`workflow\` as a parameter, never as a global: a nested workflow cannot reach it.
Object.defineProperty(globalThis, "__dynflow_start", {
  configurable: true,
  value: function start(main, scriptArgs) {
    delete globalThis.__dynflow_start;
    return main(scriptArgs, workflow);
  },
});

for (const [name, install] of extensions) {
  install(Object.freeze({
    call: (fn, ...args) => call(name + "." + fn, ...args),
    agent,
    define,
    makeError,
    currentPhase: () => currentPhase,
  }));
}
})(globalThis.__dynflow, ${JSON.stringify({ maxItems: config.maxItems })}, [${extensions}]);
`;
}
