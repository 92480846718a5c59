/**
 * The migration benchmarks' repository and scripted model.
 *
 * The repository is shaped like eslint v9's `lib/`: ten modules of
 * CommonJS files (the rules module the largest), 2,200 files in all. A few
 * files per module still call `context.getSourceCode()`; the migration is to
 * `context.sourceCode`.
 *
 * The model works only through the tools, from what they answer:
 * - a worker lists its module, searches it for the old call, reads the first
 *   file found and edits every file found, one `edit_file` each, then finishes;
 *   in the modules of `REFUTED_FIRST` its first attempt skips the last file;
 * - a refuter searches the changed module for the old call and refutes the
 *   change when the search still finds one (its evidence names the line), so
 *   those modules are dispatched again, and the second attempt (which is
 *   told the evidence and starts from the first attempt's change, so its
 *   search finds only what is left) edits what is left; otherwise it upholds.
 * The model answers in 0 ms: the time of a run is dynflow's own.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { reply, type FakeHandler, type FakeReply, type RecordedRequest } from "../test/fakes/fake-anthropic.js";
import { git, tempDir } from "../test/workspace/git-fixture.js";

/** Modules and how many files each has (2,200 files in all). */
export const MODULES: ReadonlyArray<{ name: string; files: number; toMigrate: number }> = [
  { name: "rules", files: 850, toMigrate: 8 },
  { name: "linter", files: 150, toMigrate: 5 },
  { name: "cli-engine", files: 150, toMigrate: 4 },
  { name: "config", files: 150, toMigrate: 4 },
  { name: "eslint", files: 150, toMigrate: 4 },
  { name: "languages", files: 150, toMigrate: 4 },
  { name: "rule-tester", files: 150, toMigrate: 4 },
  { name: "shared", files: 150, toMigrate: 4 },
  { name: "source-code", files: 150, toMigrate: 5 },
  { name: "services", files: 150, toMigrate: 4 },
];
/** Modules whose first attempt misses a file, so a refuter refutes it and the module is dispatched again. */
export const REFUTED_FIRST: ReadonlySet<string> = new Set(["linter", "config", "shared"]);
export const OLD_CALL = "const sourceCode = context.getSourceCode();";
export const NEW_CALL = "const sourceCode = context.sourceCode;";
export const TASK = "Replace every context.getSourceCode() call with the context.sourceCode property (eslint v9).";
const PATTERN = "context\\.getSourceCode\\(\\)";
const EVIDENCE = "still calls context.getSourceCode()";

function fileText(module: string, index: number, migrate: boolean): string {
  const name = `${module}-${String(index).padStart(3, "0")}`;
  return `/**
 * @fileoverview ${name}: part of the ${module} module.
 * @author dynflow benchmark
 */
"use strict";

const { isCommentToken, isSemicolonToken } = require("../shared/ast-utils");
const { getStaticValue } = require("../shared/static-value");

/** @type {import('../shared/types').Rule} */
module.exports = {
  meta: {
    type: "suggestion",
    docs: { description: "Checks ${name}", recommended: false, url: "https://example.test/${name}" },
    schema: [{ type: "object", properties: { allow: { type: "array", items: { type: "string" } } }, additionalProperties: false }],
    messages: { unexpected: "Unexpected {{name}} in ${name}." },
  },

  create(context) {
    ${migrate ? OLD_CALL : NEW_CALL}
    const allow = new Set((context.options[0] || {}).allow || []);

    function report(node, name) {
      if (allow.has(name)) return;
      context.report({ node, messageId: "unexpected", data: { name } });
    }

    return {
      Identifier(node) {
        const before = sourceCode.getTokenBefore(node);
        if (before && (isCommentToken(before) || isSemicolonToken(before))) return;
        const value = getStaticValue(node, sourceCode.getScope(node));
        if (value && typeof value.value === "string" && value.value.length > ${(index % 7) + 3}) report(node, node.name);
      },
    };
  },
};
`;
}

/** The repository's files: `lib/<module>/...` (a few subfolders per module), and the config naming the modules. */
export function migrationFiles(): Record<string, string> {
  const files: Record<string, string> = {
    "package.json": '{ "name": "lint-like", "version": "9.0.0", "main": "lib/api.js" }\n',
    "lib/api.js": '"use strict";\nmodule.exports = { Linter: require("./linter/linter-000") };\n',
    ".github/dynflow.yml": `approval: never\nmodules:\n${MODULES.map((m) => `  - name: ${m.name}\n    globs: ["lib/${m.name}/**"]\n`).join("")}`,
  };
  for (const module of MODULES) {
    // Files to migrate spread through the module, so a search walks all of it.
    const step = Math.floor(module.files / module.toMigrate);
    for (let i = 0; i < module.files; i++) {
      const folder = i % 5 === 0 ? "" : `${["utils", "core", "helpers", "internal"][i % 4]}/`;
      files[`lib/${module.name}/${folder}${module.name}-${String(i).padStart(3, "0")}.js`] = fileText(module.name, i, i % step === step - 1 && i < step * module.toMigrate);
    }
  }
  return files;
}

/** Writes the repository into a new temporary directory and commits it; returns its directory. */
export async function makeMigrationRepo(files = migrationFiles()): Promise<string> {
  const dir = await tempDir("dynflow-migration-bench-");
  await git(dir, "init", "-q", "-b", "main");
  await Promise.all(
    Object.entries(files).map(async ([path, content]) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }),
  );
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", "initial");
  return dir;
}

/** Agents and model calls the run makes when everything goes as scripted. */
export function expectedWork(): { agents: number; calls: number; refuters: number } {
  let calls = 0;
  let agents = 0;
  const refuters = 2;
  for (const m of MODULES) {
    const refuted = REFUTED_FIRST.has(m.name);
    // list, search, read, an edit per file, finish; a refuted first attempt edits one file fewer.
    calls += 4 + m.toMigrate - (refuted ? 1 : 0);
    // The second attempt starts from the first one's change: it lists, searches, reads and edits the one file left, and finishes.
    if (refuted) calls += 5;
    agents += 1 + refuters * (refuted ? 2 : 1) + (refuted ? 1 : 0);
    // Each refuter searches and finishes.
    calls += refuters * 2 * (refuted ? 2 : 1);
  }
  return { agents, calls, refuters };
}

interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  result: string;
}

/** The tool calls of the conversation so far, each with what it answered. */
function toolCallsOf(request: RecordedRequest): ToolCall[] {
  const calls: ToolCall[] = [];
  const byId = new Map<string, ToolCall>();
  for (const message of request.body.messages as { role: string; content: unknown }[]) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content as Record<string, unknown>[]) {
      if (block.type === "tool_use") {
        const call = { name: String(block.name), input: block.input as Record<string, unknown>, result: "" };
        byId.set(String(block.id), call);
        calls.push(call);
      } else if (block.type === "tool_result") {
        const call = byId.get(String(block.tool_use_id));
        if (call) call.result = typeof block.content === "string" ? block.content : JSON.stringify(block.content);
      }
    }
  }
  return calls;
}

function firstMessageText(request: RecordedRequest): string {
  const first = request.body.messages[0]?.content;
  return typeof first === "string" ? first : JSON.stringify(first);
}

/** Paths the last search found, in order. */
function foundPaths(calls: ToolCall[]): string[] {
  const search = calls.findLast((c) => c.name === "search");
  if (!search) return [];
  return [...new Set([...search.result.matchAll(/^(lib\/[^:\n]+):\d+: /gm)].map((m) => m[1]!))];
}

function worker(request: RecordedRequest, module: string): FakeReply {
  const calls = toolCallsOf(request);
  const glob = `lib/${module}/**`;
  if (calls.length === 0) return reply.toolUse("list_files", { glob });
  if (!calls.some((c) => c.name === "search")) return reply.toolUse("search", { pattern: PATTERN, glob });
  const retry = firstMessageText(request).includes(EVIDENCE);
  const found = foundPaths(calls);
  const planned = !retry && REFUTED_FIRST.has(module) ? found.slice(0, -1) : found;
  if (planned.length > 0 && !calls.some((c) => c.name === "read_file")) return reply.toolUse("read_file", { path: planned[0] });
  const edited = calls.filter((c) => c.name === "edit_file").length;
  const next = planned[edited];
  if (next !== undefined) return reply.toolUse("edit_file", { path: next, old_text: OLD_CALL, new_text: NEW_CALL });
  return reply.toolUse("finish", { summary: `Replaced context.getSourceCode() in ${edited} file(s) of lib/${module}.`, result: `migrated ${edited} file(s)` });
}

function refuter(request: RecordedRequest, module: string): FakeReply {
  const calls = toolCallsOf(request);
  if (calls.length === 0) return reply.toolUse("search", { pattern: PATTERN, glob: `lib/${module}/**` });
  const left = /^(lib\/[^:\n]+:\d+): /m.exec(calls.at(-1)!.result);
  if (left) return reply.toolUse("finish", { summary: "searched the module", result: { verdict: "refuted", evidence: `${left[1]} ${EVIDENCE}` } });
  return reply.toolUse("finish", { summary: "searched the module", result: { verdict: "upheld", evidence: `no context.getSourceCode() call is left in lib/${module}` } });
}

/** The scripted model (see the file's comment). */
export const migrationModel: FakeHandler = (request) => {
  const system = JSON.stringify(request.body.system ?? "");
  const first = firstMessageText(request);
  if (system.includes("You are a worker agent")) {
    const module = /Change only files matching lib\/([\w-]+)\/\*\*/.exec(first)?.[1];
    return module ? worker(request, module) : reply.text(`unexpected worker assignment: ${first.slice(0, 200)}`);
  }
  if (system.includes("You are a refuter agent")) {
    const module = /lib\/([\w-]+)\//.exec(first)?.[1];
    return module ? refuter(request, module) : reply.text("no module in the claim");
  }
  return reply.text("unexpected request");
};
