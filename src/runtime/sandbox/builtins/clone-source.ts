/**
 * Guest source of `structuredClone`: a deep copy that keeps shared and
 * circular references, and copies the built-in types the structured clone
 * algorithm copies (Date, RegExp, Map, Set, ArrayBuffer, typed arrays,
 * DataView, errors, boxed primitives). Functions, symbols and other
 * uncloneable values throw a `DataCloneError`, as in browsers and Node.
 */
export const CLONE_SOURCE = String.raw`
function dataCloneError(what) {
  var error = new Error(what + " could not be cloned");
  error.name = "DataCloneError";
  return error;
}

var ERROR_TYPES = { Error: Error, EvalError: EvalError, RangeError: RangeError, ReferenceError: ReferenceError, SyntaxError: SyntaxError, TypeError: TypeError, URIError: URIError };

function structuredClone(value, options) {
  if (arguments.length === 0) throw new TypeError("structuredClone: 1 argument required");
  if (options !== undefined && options !== null && options.transfer !== undefined && options.transfer.length > 0) {
    throw dataCloneError("a transfer list (a dynflow script has nothing to transfer to)");
  }
  var seen = new Map();
  function clone(v) {
    var type = typeof v;
    if (type === "function") throw dataCloneError(v.name ? "function " + v.name : "a function");
    if (type === "symbol") throw dataCloneError(String(v));
    if (v === null || type !== "object") return v;
    if (seen.has(v)) return seen.get(v);
    var out;
    if (Array.isArray(v)) {
      out = new Array(v.length);
      seen.set(v, out);
      Object.keys(v).forEach(function (k) { out[k] = clone(v[k]); });
      return out;
    }
    if (v instanceof Date) { out = new Date(v.getTime()); seen.set(v, out); return out; }
    if (v instanceof RegExp) { out = new RegExp(v.source, v.flags); seen.set(v, out); return out; }
    if (v instanceof Boolean || v instanceof Number || v instanceof String || (typeof BigInt === "function" && v instanceof Object && Object.prototype.toString.call(v) === "[object BigInt]")) {
      out = Object(v.valueOf()); seen.set(v, out); return out;
    }
    if (v instanceof ArrayBuffer) { out = v.slice(0); seen.set(v, out); return out; }
    if (v instanceof DataView) { out = new DataView(clone(v.buffer), v.byteOffset, v.byteLength); seen.set(v, out); return out; }
    if (ArrayBuffer.isView(v)) { out = new v.constructor(clone(v.buffer), v.byteOffset, v.length); seen.set(v, out); return out; }
    if (v instanceof Map) {
      out = new Map(); seen.set(v, out);
      v.forEach(function (val, key) { out.set(clone(key), clone(val)); });
      return out;
    }
    if (v instanceof Set) {
      out = new Set(); seen.set(v, out);
      v.forEach(function (val) { out.add(clone(val)); });
      return out;
    }
    if (v instanceof Error) {
      var Ctor = Object.prototype.hasOwnProperty.call(ERROR_TYPES, v.name) ? ERROR_TYPES[v.name] : Error;
      out = new Ctor(v.message); seen.set(v, out);
      if (v.stack !== undefined) out.stack = String(v.stack);
      if ("cause" in v) out.cause = clone(v.cause);
      return out;
    }
    if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) throw dataCloneError(Object.prototype.toString.call(v));
    out = {};
    seen.set(v, out);
    Object.keys(v).forEach(function (k) { out[k] = clone(v[k]); });
    return out;
  }
  return clone(value);
}
`;
