/**
 * Where a sandbox worker thread starts, decided once per process.
 *
 * From compiled code it is `sandbox-worker.js` beside this file. From the
 * TypeScript sources (development, tests, `npm start` under tsx) the worker's
 * whole module graph is bundled once into one ES module with esbuild (which
 * tsx brings along), written to `node_modules/.cache/dynflow/` under a name
 * made of its content's hash, and every worker starts from that file without
 * tsx. Registering tsx in each worker instead cost about 300 ms of CPU per
 * sandbox, twice per run: the worker loaded tsx, started tsx's loader thread
 * and compiled the graph again. If esbuild cannot be loaded or the cache not
 * written, the worker registers tsx itself, as before: slower, same behaviour.
 */
import { createHash } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A worker's entry: a module URL, or code to evaluate (which registers tsx first). */
export type SandboxWorkerEntry = { kind: "module"; url: URL; withoutTsx: boolean } | { kind: "eval"; source: string };

let entry: Promise<SandboxWorkerEntry> | undefined;

/** The entry every sandbox worker of this process starts from (computed on first use). */
export function sandboxWorkerEntry(): Promise<SandboxWorkerEntry> {
  entry ??= findEntry(import.meta.url);
  return entry;
}

async function findEntry(self: string): Promise<SandboxWorkerEntry> {
  if (!self.endsWith(".ts")) return { kind: "module", url: new URL("./sandbox-worker.js", self), withoutTsx: false };
  const source = new URL("./sandbox-worker.ts", self);
  const bundled = await bundle(fileURLToPath(source)).catch(() => undefined);
  if (bundled !== undefined) return { kind: "module", url: pathToFileURL(bundled), withoutTsx: true };
  // Node 20 does not apply `--import tsx` in a worker's execArgv to the
  // worker's entry module, so the worker registers tsx before importing it.
  const tsx = import.meta.resolve("tsx/esm/api");
  return {
    kind: "eval",
    source: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`,
  };
}

interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
}

/**
 * Bundles the worker and everything it imports into one ES module file and
 * returns its path; rejects when esbuild or the cache directory is missing.
 */
async function bundle(file: string): Promise<string> {
  // esbuild as tsx resolves it, so it is found wherever tsx is installed.
  const tsxMain = createRequire(import.meta.url).resolve("tsx");
  const esbuild = (await import(pathToFileURL(createRequire(tsxMain).resolve("esbuild")).href)) as EsbuildApi;
  const result = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node.split(".")[0]}`,
    write: false,
    logLevel: "silent",
  });
  const text = result.outputFiles?.[0]?.text;
  if (text === undefined) throw new Error("esbuild produced no output");
  // The bundle finds its packages' files (the QuickJS glue reads import.meta.url), so it lives in a file.
  const dir = join(nodeModulesOf(tsxMain), ".cache", "dynflow");
  const path = join(dir, `sandbox-worker-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.mjs`);
  await mkdir(dir, { recursive: true });
  // Written whole, then renamed: a process starting a worker from the same file never reads half of it.
  const partial = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(partial, text);
  await rename(partial, path);
  return path;
}

/** The `node_modules` directory holding a package's file. */
function nodeModulesOf(file: string): string {
  let dir = dirname(file);
  while (!dir.endsWith("node_modules") && dirname(dir) !== dir) dir = dirname(dir);
  if (!dir.endsWith("node_modules")) throw new Error(`${file} is not inside node_modules`);
  return dir;
}

/**
 * The parent's Node flags minus the ones that load tsx, or undefined when
 * there are none to drop (the worker then inherits the flags as usual).
 */
export function execArgvWithoutTsx(execArgv: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  const loads = /^(--import|--require|-r|--loader|--experimental-loader)$/;
  const isTsx = (value: string) => /(^|[/\\])tsx([/\\]|$)/.test(value);
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const inline = /^(--import|--require|--loader|--experimental-loader)=(.*)$/.exec(arg);
    if (inline && isTsx(inline[2]!)) continue;
    if (loads.test(arg) && i + 1 < execArgv.length && isTsx(execArgv[i + 1]!)) {
      i++;
      continue;
    }
    kept.push(arg);
  }
  return kept.length === execArgv.length ? undefined : kept;
}
