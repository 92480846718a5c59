/**
 * Guest source, part of the bridge: finds a promise in the script's result.
 * A promise has no JSON form (it would reach the run's result as `{}`), and
 * one in a result is almost always an `agent()` call the script forgot to
 * `await`, whose answer would be lost. The bridge records where each promise
 * of the script API was made, so the error names the line of that call.
 *
 * Expects `PromiseCtor`, `ErrorCtor` and `defineProperty` in scope.
 */
export const UNAWAITED_SOURCE = String.raw`
var origins = new WeakMap();

// Remembers where a promise of the script API was made: the Error's stack holds the script line of the call.
// The outermost caller records last, so the name is the global the script called (agent, not its host call).
function track(promise, what) {
  if (promise instanceof PromiseCtor) origins.set(promise, { what: String(what), site: new ErrorCtor() });
  return promise;
}

var MAX_VISITED = 100000;

// The first promise inside value (objects and arrays, as JSON would visit them), with its path.
function findUnawaited(value) {
  var seen = new Set();
  var stack = [[value, "result"]];
  var visited = 0;
  while (stack.length > 0 && visited < MAX_VISITED) {
    var entry = stack.shift();
    var v = entry[0], path = entry[1];
    if (v === null || typeof v !== "object") continue;
    if (v instanceof PromiseCtor) return { promise: v, path: path };
    if (seen.has(v) || typeof v.toJSON === "function") continue;
    seen.add(v);
    visited++;
    if (Array.isArray(v)) {
      for (var i = 0; i < v.length; i++) stack.push([v[i], path + "[" + i + "]"]);
    } else {
      var keys = Object.keys(v);
      for (var k = 0; k < keys.length; k++) stack.push([v[keys[k]], path + (/^[A-Za-z_$][\w$]*$/.test(keys[k]) ? "." + keys[k] : "[" + JSON.stringify(keys[k]) + "]")]);
    }
  }
  return null;
}

function unawaitedError(found) {
  var origin = origins.get(found.promise);
  var what = origin ? origin.what : null;
  var message = origin
    ? "the script returned " + found.path + " as the promise of " + (/^[aeiou]/i.test(what) ? "an " : "a ") + what + "() call that it never awaited, so its answer would be lost: write await " + what + "(...) (or await Promise.all([...]) for several) before returning it"
    : "the script returned " + found.path + " as a promise that it never awaited, so its value would be lost: await it (or await Promise.all([...]) for several) before returning it";
  var error = origin ? origin.site : new ErrorCtor();
  defineProperty(error, "message", { value: message, writable: true, configurable: true, enumerable: false });
  error.name = "UnawaitedPromiseError";
  error.code = "unawaited_promise";
  return error;
}
`;
