/**
 * Guest source of `console`: what a script prints goes to the run's log
 * (`log()`), warnings and errors as warnings. Arguments are formatted the way
 * Node's console formats them, in short: `%s %d %i %f %j %o %O %c %%`
 * substitutions, strings as they are, other values inspected with circular
 * references marked. Expects `notify` (the bridge's) in scope.
 */
export const CONSOLE_SOURCE = String.raw`
var MAX_DEPTH = 4;

function inspect(value, depth, seen) {
  var type = typeof value;
  if (type === "string") return depth === 0 ? value : JSON.stringify(value);
  if (type === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (type === "bigint") return String(value) + "n";
  if (type === "undefined" || type === "boolean" || value === null) return String(value);
  if (type === "symbol") return String(value);
  if (type === "function") return "[Function: " + (value.name || "(anonymous)") + "]";
  if (seen.indexOf(value) !== -1) return "[Circular]";
  if (value instanceof Error) return value.stack ? String(value.stack).split("\n").slice(0, 1 + 3).join("\n") : value.name + ": " + value.message;
  if (value instanceof Date) return isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof RegExp) return String(value);
  // Not "instanceof URL": that would load the URL built-in for every object printed.
  if (Object.prototype.toString.call(value) === "[object URL]") return "URL " + JSON.stringify(value.href);
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? "[Array]" : "[Object]";
  var next = seen.concat([value]);
  if (value instanceof Map) return "Map(" + value.size + ") {" + Array.from(value).map(function (e) { return " " + inspect(e[0], depth + 1, next) + " => " + inspect(e[1], depth + 1, next); }).join(",") + (value.size ? " " : "") + "}";
  if (value instanceof Set) return "Set(" + value.size + ") {" + Array.from(value).map(function (v) { return " " + inspect(v, depth + 1, next); }).join(",") + (value.size ? " " : "") + "}";
  if (value instanceof Promise) return "Promise { <pending or settled> }";
  if (Array.isArray(value)) return "[" + (value.length ? " " : "") + value.map(function (v) { return inspect(v, depth + 1, next); }).join(", ") + (value.length ? " " : "") + "]";
  var keys = Object.keys(value);
  return "{" + (keys.length ? " " : "") + keys.map(function (k) { return (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)) + ": " + inspect(value[k], depth + 1, next); }).join(", ") + (keys.length ? " " : "") + "}";
}

function formatArgs(args) {
  var first = args[0];
  var rest = Array.prototype.slice.call(args, 1);
  var out;
  if (typeof first === "string" && /%[sdifjoOc%]/.test(first)) {
    out = first.replace(/%([sdifjoOc%])/g, function (match, kind) {
      if (kind === "%") return "%";
      if (rest.length === 0) return match;
      var v = rest.shift();
      switch (kind) {
        case "s": return typeof v === "string" ? v : inspect(v, 1, []);
        case "d": case "i": return typeof v === "bigint" ? v + "n" : String(kind === "i" ? parseInt(v, 10) : Number(v));
        case "f": return String(parseFloat(v));
        case "j": try { return JSON.stringify(v); } catch (e) { return "[Circular]"; }
        case "c": return "";
        default: return inspect(v, 1, []);
      }
    });
  } else {
    out = args.length === 0 ? "" : inspect(first, 0, []);
  }
  return [out].concat(rest.map(function (v) { return inspect(v, 0, []); })).join(" ");
}

var counts = Object.create(null);
var indent = "";

function emit(level, args) { notify(level, indent + formatArgs(args)); }

var console = {
  log: function () { emit("log", arguments); },
  info: function () { emit("log", arguments); },
  debug: function () { emit("log", arguments); },
  trace: function () { emit("log", arguments); },
  dir: function (value) { emit("log", [value]); },
  table: function (value) { emit("log", [value]); },
  warn: function () { emit("warn", arguments); },
  error: function () { emit("warn", arguments); },
  assert: function (condition) {
    if (condition) return;
    var rest = Array.prototype.slice.call(arguments, 1);
    emit("warn", ["Assertion failed" + (rest.length ? ":" : "")].concat(rest));
  },
  count: function (label) {
    label = label === undefined ? "default" : String(label);
    counts[label] = (counts[label] || 0) + 1;
    emit("log", [label + ": " + counts[label]]);
  },
  countReset: function (label) { counts[label === undefined ? "default" : String(label)] = 0; },
  group: function () { if (arguments.length) emit("log", arguments); indent += "  "; },
  groupCollapsed: function () { if (arguments.length) emit("log", arguments); indent += "  "; },
  groupEnd: function () { indent = indent.slice(2); },
  // Timers read the clock, which would make a run differ on replay: they only say so.
  time: function () { emit("log", ["console.time() does not measure time in a dynflow script (there is no clock)"]); },
  timeEnd: function () {},
  timeLog: function () {},
};
`;
