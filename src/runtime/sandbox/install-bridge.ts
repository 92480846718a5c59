import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";
import { builtinModuleSource, BUILTINS_FILE, BUILTINS_SOURCE } from "./builtins/index.js";
import { BRIDGE_FILE, BRIDGE_SOURCE, GUARDS_FILE, GUARDS_SOURCE } from "./guest-sources.js";
import type { SettleMessage } from "./protocol.js";

/** A host function's answer: a value handle (owned by the bridge), nothing, or an error to throw in the guest. */
export type HostAnswer = QuickJSHandle | { error: QuickJSHandle } | undefined;

/** Host side of the bridge's raw functions; strings are already read out of the guest. */
export interface BridgeHandlers {
  /** Starts a host call; answers its id (a number handle) or an error. */
  call(name: string, json: string): HostAnswer;
  notify(name: string, json: string): HostAnswer;
  state(): HostAnswer;
  compile(code: string, filename: string): HostAnswer;
  /** The program's promise fulfilled; `json` undefined when its value has no JSON form. */
  done(json: string | undefined): void;
  /** The program's promise rejected, or (`fromResult`) its value could not be turned into JSON. */
  fail(error: QuickJSHandle, fromResult: boolean): void;
}

/** Guest functions the host keeps for the life of the sandbox. */
export interface BridgeHelpers {
  /** `(batchJson) => void`: settles host calls (entry format in guest-sources.ts). */
  deliver: QuickJSHandle;
  /** `(name, code, message) => Error`. */
  makeError: QuickJSHandle;
  /** `(completion) => void`: reports the settling of `completion` to `done`/`fail`. */
  watch: QuickJSHandle;
}

/**
 * Installs the guards, `globalThis.__dynflow` and the standard built-ins
 * (`URL`, `console`, ...) in a fresh context. The raw host functions are
 * handed to the bridge as an argument, never put on the global object, so the
 * guest reaches them only through the bridge.
 */
export function installBridge(context: QuickJSContext, handlers: BridgeHandlers): BridgeHelpers {
  context.unwrapResult(context.evalCode(GUARDS_SOURCE, GUARDS_FILE, { type: "global", strict: true })).dispose();

  const str = (handle: QuickJSHandle | undefined): string => (handle === undefined ? "" : context.getString(handle));
  const raw = context.newObject();
  const define = (name: string, fn: (...args: QuickJSHandle[]) => HostAnswer | void) => {
    const handle = context.newFunction(name, fn);
    context.setProp(raw, name, handle);
    handle.dispose();
  };
  define("call", (name, json) => handlers.call(str(name), str(json)));
  define("notify", (name, json) => handlers.notify(str(name), str(json)));
  define("state", () => handlers.state());
  define("compile", (code, filename) => handlers.compile(str(code), str(filename)));
  define("done", (json) => handlers.done(json !== undefined && context.typeof(json) === "string" ? str(json) : undefined));
  define("fail", (error, fromResult) => {
    if (error) handlers.fail(error, fromResult !== undefined && context.dump(fromResult) === true);
  });

  const factory = context.unwrapResult(context.evalCode(BRIDGE_SOURCE, BRIDGE_FILE, { type: "global", strict: true }));
  const helpers = context.unwrapResult(context.callFunction(factory, context.undefined, raw));
  factory.dispose();
  raw.dispose();
  const installer = context.unwrapResult(context.evalCode(BUILTINS_SOURCE, BUILTINS_FILE, { type: "global", strict: true }));
  // Only the installer holds it: a module's source crosses into the engine when a script first touches one of its globals.
  const source = context.newFunction("source", (name) => {
    const text = builtinModuleSource(str(name));
    return text === null ? context.undefined : context.newString(text);
  });
  context.unwrapResult(context.callFunction(installer, context.undefined, source)).dispose();
  installer.dispose();
  source.dispose();
  const result: BridgeHelpers = {
    deliver: context.getProp(helpers, "deliver"),
    makeError: context.getProp(helpers, "makeError"),
    watch: context.getProp(helpers, "watch"),
  };
  helpers.dispose();
  return result;
}

/** A settled host call as an entry of the batch `deliver` takes (format in guest-sources.ts). */
export function settleEntry(message: SettleMessage): string {
  if (!message.ok) {
    const { name, code, message: text } = message.error;
    return `[${message.id},2,${JSON.stringify(name)},${JSON.stringify(code)},${JSON.stringify(text)}]`;
  }
  // The value is already JSON text: it is spliced in, not parsed and re-serialised.
  return message.json === undefined ? `[${message.id},1]` : `[${message.id},0,${message.json}]`;
}
