/**
 * Prompt-cache benchmark: a fan-out of 20 same-shaped worker requests (shared
 * tools + system + task context, a small per-worker suffix) sent at once
 * through the model client to the fake API, with the prefix hold on and off.
 * The figure that matters is the share of input tokens read from the cache.
 */
import type { MessageCreateParamsNonStreaming, Tool } from "@anthropic-ai/sdk/resources/messages";
import { createModelClient, type ModelResponse } from "../src/agents/model/create-model-client.js";
import { withCacheControl } from "../src/agents/model/with-cache-control.js";
import { startFakeAnthropic } from "../test/fakes/fake-anthropic.js";
import type { BenchFigure } from "./types.js";

const WORKERS = 20;
const MODEL = "claude-opus-5-5";

function tool(name: string, description: string, properties: Record<string, string>): Tool {
  const props = Object.fromEntries(Object.entries(properties).map(([key, text]) => [key, { type: "string", description: text }]));
  return { name, description, input_schema: { type: "object", properties: props, required: Object.keys(properties) } };
}

/** Roughly what a worker agent carries: 8 tools, a long system prompt, the task and a repository overview. */
const TOOLS: Tool[] = [
  tool("read_file", "Read a file of the workspace at the base commit plus this agent's edits. ".repeat(4), { path: "Path from the repository root." }),
  tool("write_file", "Replace a file's contents. Writes outside the agent's write scopes are refused. ".repeat(4), { path: "Path.", content: "New contents." }),
  tool("edit_file", "Replace one exact occurrence of a string in a file. ".repeat(4), { path: "Path.", old: "Text to find.", new: "Replacement." }),
  tool("list_files", "List tracked files matching a glob. ".repeat(4), { glob: "A picomatch glob." }),
  tool("search", "Search file contents with a regular expression. ".repeat(4), { pattern: "Regex.", glob: "Files to search." }),
  tool("run_tests", "Run the repository's test command for some paths. ".repeat(4), { paths: "Space-separated paths." }),
  tool("git_diff", "Show this agent's changes against the base commit. ".repeat(4), { path: "Optional path filter." }),
  tool("finish", "Finish with a summary of the change and the claim reviewers will try to refute. ".repeat(4), { summary: "Summary.", claim: "Claim." }),
];
const SYSTEM = [
  "You are a worker agent of dynflow. You work alone on an isolated workspace of a git repository.",
  "Make the smallest change that completes your part of the task; keep the code style of the file you edit.",
  "Every claim you make will be reviewed by independent agents who try to refute it; say exactly what you checked.",
].join("\n").repeat(18);
const TASK = "Task: migrate every caller of fetchJson to the new HttpClient, keeping behaviour on errors and timeouts.\n";
const OVERVIEW = Array.from({ length: 240 }, (_, i) => `src/module-${i}/index.ts — exports handler${i}(), uses fetchJson ${i % 3} times`).join("\n");

function workerRequest(i: number): MessageCreateParamsNonStreaming {
  return {
    model: MODEL,
    max_tokens: 4096,
    tools: TOOLS,
    system: SYSTEM,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: TASK + OVERVIEW },
          { type: "text", text: `Your part: src/module-${i}/index.ts and its tests. Write scope: src/module-${i}/**.` },
        ],
      },
    ],
  };
}

async function fanOut(prefixHoldMs: number): Promise<{ results: ModelResponse[]; wallMs: number; maxInFlight: number }> {
  // 150 ms to "process the prefix" before the response begins, 100 ms more to finish.
  const api = await startFakeAnthropic({ prefixDelayMs: 150, bodyDelayMs: 100 });
  try {
    const client = createModelClient({ apiKey: "sk-ant-bench-0000000000", baseURL: api.url, prefixHoldMs, maxRetries: 0 });
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) => {
        const { params, prefixKey } = withCacheControl(workerRequest(i), { sharedPrefixEnd: { message: 0, block: 0 } });
        return client.createMessage(params, { prefixKey });
      }),
    );
    return { results, wallMs: performance.now() - started, maxInFlight: api.maxInFlight };
  } finally {
    await api.close();
  }
}

function totals(results: ModelResponse[]) {
  const sum = (pick: (r: ModelResponse) => number) => results.reduce((acc, r) => acc + pick(r), 0);
  const input = sum((r) => r.usage.input);
  const cacheWrite = sum((r) => r.usage.cacheWrite);
  const cacheRead = sum((r) => r.usage.cacheRead);
  return { cacheReadShare: cacheRead / (input + cacheWrite + cacheRead), cacheWrite, costUsd: sum((r) => r.costUsd) };
}

/** Runs the fan-out with the hold on, then off, and reports the figures. */
export async function bench(): Promise<BenchFigure[]> {
  const on = await fanOut(5000);
  const off = await fanOut(0);
  const held = totals(on.results);
  const free = totals(off.results);
  const round = (n: number, digits: number) => Number(n.toFixed(digits));
  return [
    {
      name: `prompt cache: input read from cache, ${WORKERS} workers, hold on`,
      value: round(held.cacheReadShare * 100, 1),
      unit: "%",
      target: "≥ 70 %",
      pass: held.cacheReadShare >= 0.7,
    },
    { name: "prompt cache: input read from cache, hold off", value: round(free.cacheReadShare * 100, 1), unit: "%" },
    { name: "prompt cache: tokens written to cache, hold on", value: held.cacheWrite, unit: "tokens" },
    { name: "prompt cache: tokens written to cache, hold off", value: free.cacheWrite, unit: "tokens" },
    { name: `prompt cache: fan-out cost on ${MODEL}, hold on`, value: round(held.costUsd, 4), unit: "USD" },
    { name: `prompt cache: fan-out cost on ${MODEL}, hold off`, value: round(free.costUsd, 4), unit: "USD" },
    { name: "prompt cache: fan-out wall time, hold on", value: Math.round(on.wallMs), unit: "ms" },
    { name: "prompt cache: fan-out wall time, hold off", value: Math.round(off.wallMs), unit: "ms" },
    { name: "prompt cache: max concurrent requests, hold on", value: on.maxInFlight, unit: "requests" },
  ];
}
