/**
 * The sandbox's standard built-ins (URL, console, Intl.NumberFormat, ...):
 * what installing them adds to every sandbox start, what a script pays the
 * first time it touches one, and their speed in use. Measured in a fresh
 * QuickJS context each time, with the sandbox's own build of the engine.
 */
import { newQuickJSWASMModuleFromVariant, RELEASE_SYNC } from "quickjs-emscripten";
import { builtinModuleSource, BUILTINS_SOURCE } from "../src/runtime/sandbox/builtins/index.js";
import type { BenchFigure } from "./types.js";

const CONTEXTS = 40;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function bench(): Promise<BenchFigure[]> {
  const quickjs = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
  const install: number[] = [];
  const firstUrl: number[] = [];
  const perUrl: number[] = [];
  const perFormat: number[] = [];
  const perClone: number[] = [];
  const time = (context: ReturnType<ReturnType<typeof quickjs.newRuntime>["newContext"]>, code: string): number => {
    const started = performance.now();
    context.unwrapResult(context.evalCode(code)).dispose();
    return performance.now() - started;
  };
  for (let i = 0; i < CONTEXTS; i++) {
    const runtime = quickjs.newRuntime();
    const context = runtime.newContext();
    context.unwrapResult(context.evalCode("globalThis.__dynflow = { notify() {} }")).dispose();
    // As install-bridge.ts does: the installer, called with the host function that answers a module's source.
    const started = performance.now();
    const installer = context.unwrapResult(context.evalCode(BUILTINS_SOURCE));
    const source = context.newFunction("source", (name) => context.newString(builtinModuleSource(context.getString(name)) ?? ""));
    context.unwrapResult(context.callFunction(installer, context.undefined, source)).dispose();
    install.push(performance.now() - started);
    installer.dispose();
    source.dispose();
    firstUrl.push(time(context, `new URL("https://example.com/").href`));
    perUrl.push(time(context, `for (let i = 0; i < 1000; i++) new URL("https://Example.com/a/../b?utm_source=x&id=" + i).searchParams.toString()`) / 1000);
    perFormat.push(time(context, `const f = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }); for (let i = 0; i < 1000; i++) f.format(i * 1234.567)`) / 1000);
    perClone.push(time(context, `const o = { list: Array.from({ length: 1000 }, (_, i) => ({ i, s: "x" + i })) }; for (let i = 0; i < 10; i++) structuredClone(o)`) / 10);
    context.dispose();
    runtime.dispose();
  }
  return [
    { name: "installing the built-ins, per sandbox (median)", value: median(install), unit: "ms", target: "≤ 10 ms", pass: median(install) <= 10 },
    { name: "first use of URL in a script (loads its module)", value: median(firstUrl), unit: "ms" },
    { name: "new URL(...) + searchParams.toString(), per URL", value: median(perUrl) * 1000, unit: "µs" },
    { name: "Intl.NumberFormat currency format(), per call", value: median(perFormat) * 1000, unit: "µs" },
    { name: "structuredClone of 1,000 small objects", value: median(perClone), unit: "ms" },
  ];
}
