/**
 * A scripted model for end-to-end runs of a two-module migration (fetchJson →
 * client.get), answering through `test/fakes/fake-anthropic.ts`:
 * - a worker writes its module's file, then finishes;
 * - the first `src/search` attempt forgets to encode the query; a refuter
 *   given that diff refutes it, and the worker's second round (which sees the
 *   evidence) encodes it;
 * - every other change is upheld.
 */
import { reply, type FakeHandler, type RecordedRequest } from "../fakes/fake-anthropic.js";

export const MIGRATION_FILES: Record<string, string> = {
  "README.md": "# shop\n",
  "src/http.ts": "export function fetchJson(url: string) {\n  return fetch(url).then((r) => r.json());\n}\n",
  "src/billing/index.ts": 'import { fetchJson } from "../http";\nexport const invoices = () => fetchJson("/billing/invoices");\n',
  "src/search/index.ts": 'import { fetchJson } from "../http";\nexport const search = (q: string) => fetchJson("/search?q=" + q);\n',
};

export const REFUTATION = "src/search/index.ts:2 puts the query into the URL without encodeURIComponent, so a query with & breaks";

const MIGRATED: Record<string, string> = {
  "src/billing": 'import { client } from "../client";\nexport const invoices = () => client.get("/billing/invoices");\n',
  "src/search": 'import { client } from "../client";\nexport const search = (q: string) => client.get("/search?q=" + q);\n',
};
const FIXED_SEARCH = 'import { client } from "../client";\nexport const search = (q: string) => client.get("/search?q=" + encodeURIComponent(q));\n';

/** Every text of a request: system prompt and all message blocks (tool results included). */
function textOf(request: RecordedRequest): string {
  const parts: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") parts.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === "object") {
      const block = value as { text?: unknown; content?: unknown };
      if (typeof block.text === "string") parts.push(block.text);
      if (block.content !== undefined) collect(block.content);
    }
  };
  collect(request.body.system);
  for (const message of request.body.messages) collect(message.content);
  return parts.join("\n");
}

/** The assignment of an agent: the second block of its first message. */
function assignmentOf(request: RecordedRequest): string {
  const first = request.body.messages[0].content;
  return Array.isArray(first) ? String(first[1]?.text ?? "") : String(first);
}

export const migrationModel: FakeHandler = (request) => {
  const text = textOf(request);
  const assignment = assignmentOf(request);
  const answered = request.body.messages.length > 1;
  if (text.includes("You are a worker agent")) {
    const module = Object.keys(MIGRATED).find((m) => assignment.includes(`Migrate ${m} `));
    if (module === undefined) return reply.text(`unexpected worker assignment: ${assignment.slice(0, 200)}`);
    if (answered) {
      return reply.toolUse("finish", { summary: `Replaced fetchJson with client.get in ${module}/index.ts.`, result: `migrated ${module}` });
    }
    const fixed = module === "src/search" && assignment.includes(REFUTATION);
    return reply.toolUse("write_file", { path: `${module}/index.ts`, content: fixed ? FIXED_SEARCH : MIGRATED[module] });
  }
  if (text.includes("You are a refuter agent")) {
    if (text.includes('client.get("/search?q=" + q)')) {
      return reply.toolUse("finish", { summary: "found an unencoded query", result: { verdict: "refuted", evidence: REFUTATION } });
    }
    return reply.toolUse("finish", { summary: "checked the diff", result: { verdict: "upheld", evidence: "no fetchJson call is left and the URL is built correctly" } });
  }
  return reply.text("unexpected request");
};

/** The plan script of the e2e runs: converge over every detected module, in parallel or one after another. */
export function migrationScript(mode: "parallel" | "sequential"): string {
  const body =
    mode === "parallel"
      ? `const results = await parallel(modules.map((m) => () => converge("Migrate " + m.name + " from fetchJson to client.get", { label: m.name, write: m.globs })));`
      : `const results = [];
for (const m of modules) results.push(await converge("Migrate " + m.name + " from fetchJson to client.get", { label: m.name, write: m.globs }));`;
  return `export const meta = { name: "migrate-fetch-json", description: "Move every caller of fetchJson to client.get" };

phase("Survey");
const modules = await repo.modules();
log("modules: " + modules.map((m) => m.name).join(", "));

phase("Migrate");
${body}
return results.map((r) => r.status);
`;
}
