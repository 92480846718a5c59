/**
 * The dashboard's pages, rendered on the server: small HTML that reads fine
 * without the script, which adds live updates and stop buttons.
 */
import type { RunRecord } from "../../store/index.js";
import { STATE_NAMES, type TimelineAgent } from "../build-timeline.js";
import type { AgentView, RunView } from "../read-run-views.js";
import { estimateUsd, isFinal, objectOf, plannerUsd, prettyJson, spentUsd, subjectOf } from "./run-facts.js";
import { duration, esc, renderDiff, renderTextWithDiffs, usd, when } from "./html.js";

export const BASE = "/dashboard";

export interface Viewer {
  /** GitHub login, or null for a local dashboard. */
  login: string | null;
  csrf: string;
}

interface PageOptions {
  title: string;
  viewer: Viewer | null;
  body: string;
  /** Data attributes of `<body>` for the script. */
  data?: Record<string, string>;
}

/** The frame around every page. */
export function renderPage(options: PageOptions): string {
  const data = Object.entries(options.data ?? {})
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join("");
  const me = options.viewer?.login
    ? `<span class=me>@${esc(options.viewer.login)} <form class=inline method=post action="${BASE}/logout"><input type=hidden name=_csrf value="${esc(options.viewer.csrf)}"><button>Sign out</button></form></span>`
    : "";
  return `<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1"><title>${esc(options.title)} · dynflow</title><link rel=stylesheet href="${BASE}/assets/dashboard.css"></head><body${data}><header><a href="${BASE}/">dynflow</a>${me}</header><main>${options.body}</main><script src="${BASE}/assets/dashboard.js" defer></script></body></html>`;
}

/** A page that only says something (off, refused, not found). */
export function renderMessage(title: string, html: string, viewer: Viewer | null = null): string {
  return renderPage({ title, viewer, body: `<h1>${esc(title)}</h1>${html}` });
}

export interface RunsPageInput {
  runs: RunRecord[];
  filter: { repo: string | null; status: string | null };
  repos: string[];
  nextBefore: number | null;
  viewer: Viewer | null;
  now: number;
}

const STATUSES = ["running", "queued", "planned", "awaiting-approval", "ok", "error", "capped", "budget-exhausted", "cancelled"];

/** Runs, newest first, with the filter form. */
export function renderRunsPage(input: RunsPageInput): string {
  const option = (value: string, selected: string | null, label = value) => `<option value="${esc(value)}"${value === selected ? " selected" : ""}>${esc(label)}</option>`;
  const filter = `<form method=get><label>Repository <select name=repo>${option("", input.filter.repo ?? "", "all")}${input.repos.map((r) => option(r, input.filter.repo)).join("")}</select></label> <label>Status <select name=status>${option("", input.filter.status ?? "", "all")}${STATUSES.map((s) => option(s, input.filter.status)).join("")}</select></label> <button>Filter</button></form>`;
  const rows = input.runs
    .map((run) => {
      const result = objectOf(run.result);
      const estimate = estimateUsd(run.plan);
      const cost = typeof result?.costUsd === "number" ? usd(result.costUsd) : "–";
      const agents = typeof result?.agents === "number" ? String(result.agents) : "–";
      const end = isFinal(run.status) ? run.updatedAt : input.now;
      return `<tr><td><a href="${BASE}/runs/${esc(run.id)}">${esc(run.id)}</a></td><td>${esc(`${run.owner}/${run.repo}`)}</td><td><span class="st ${esc(run.status)}">${esc(run.status)}</span></td><td>${esc(subjectOf(run))}</td><td>${agents}</td><td>${cost}${estimate === null ? "" : ` / ${usd(estimate)} est.`}</td><td>${duration(end - run.createdAt)}</td><td>${when(run.createdAt)}</td></tr>`;
    })
    .join("");
  const more = input.nextBefore === null ? "" : `<p><a href="?${new URLSearchParams({ ...(input.filter.repo ? { repo: input.filter.repo } : {}), ...(input.filter.status ? { status: input.filter.status } : {}), before: String(input.nextBefore) }).toString()}">Older runs</a></p>`;
  const table = input.runs.length === 0 ? "<p>No runs you can see yet.</p>" : `<table><thead><tr><th>Run</th><th>Repository</th><th>Status</th><th>Task</th><th>Agents</th><th>Cost vs estimate</th><th>Duration</th><th>Started</th></tr></thead><tbody>${rows}</tbody></table>`;
  return renderPage({ title: "Runs", viewer: input.viewer, body: `<h1>Runs</h1>${filter}${table}${more}` });
}

export interface RunPageInput extends RunView {
  viewer: Viewer | null;
  canWrite: boolean;
  now: number;
}

/** One run: facts, the timeline, the plan, the report, the controls. */
export function renderRunPage(input: RunPageInput): string {
  const { run, timeline } = input;
  const base = `${BASE}/runs/${esc(run.id)}`;
  const result = objectOf(run.result);
  const estimate = estimateUsd(run.plan);
  const final = isFinal(run.status);
  const ci = ciOf(run.result);
  const pull = objectOf(result?.pullRequest ?? null);
  const facts = [
    `<span><b>Status</b> <span class="st ${esc(run.status)}" id=status>${esc(run.status)}</span></span>`,
    `<span><b>Repository</b> ${esc(`${run.owner}/${run.repo}`)}</span>`,
    run.requester ? `<span><b>By</b> @${esc(run.requester)}</span>` : "",
    `<span><b>Agents</b> <span id=agents-n>${timeline.agents.length}</span></span>`,
    `<span><b>Spent</b> <span id=spent data-before="${plannerUsd(run.plan)}">${usd(spentUsd(run, timeline.spentUsd))}</span>${estimate === null ? "" : ` of ${usd(estimate)} estimated`}</span>`,
    `<span><b>Duration</b> ${duration((final ? run.updatedAt : input.now) - run.createdAt)}</span>`,
    `<span><b>Phase</b> <span id=phase>${esc(timeline.phase ?? "–")}</span></span>`,
    ci ? `<span><b>CI</b> <span class="st ${esc(ci)}">${esc(ci)}</span></span>` : "",
    pull && typeof pull.url === "string" && /^https?:\/\//.test(pull.url) ? `<span><b>Pull request</b> <a href="${esc(pull.url)}">#${esc(pull.number)}</a></span>` : "",
  ].join("");
  const controls =
    input.canWrite && !final
      ? `<form method=post action="${base}/cancel" data-confirm="Cancel this run? What finished is still pushed and reported."><input type=hidden name=_csrf value="${esc(input.viewer?.csrf ?? "")}"><button class=danger>Cancel the run</button></form><form id=stopf method=post data-base="${base}/agents/"><input type=hidden name=_csrf value="${esc(input.viewer?.csrf ?? "")}"></form>`
      : "";
  const end = timeline.finishedAfter;
  const span = Math.max(1, end ?? (timeline.t0 === null ? 1 : input.now - timeline.t0));
  let phase: string | null | undefined;
  const rows: string[] = [];
  for (const agent of timeline.agents) {
    if (agent.phase !== phase) {
      phase = agent.phase;
      rows.push(`<li class=ph>${esc(phase ?? "(no phase)")}</li>`);
    }
    rows.push(renderRow(`${base}/agents/`, agent, span, input.verdicts.get(agent.id), input.canWrite && !final));
  }
  const error = run.error ? `<p class=err>${esc(run.error.message)}</p>` : "";
  const truncated = input.transcriptTruncated ? `<p class=note>This run's transcripts reached their size bound; later entries were cut (see DYNFLOW_TRANSCRIPT_RUN_MB).</p>` : "";
  const body = `<h1>Run ${esc(run.id)}</h1><p>${esc(subjectOf(run))}</p><div class=facts>${facts}</div>${error}${controls}${truncated}
<h2>Timeline</h2><ol id=tl data-t0="${timeline.t0 ?? 0}"${end === null ? "" : ` data-end="${end}"`}>${rows.join("")}</ol>
<h2>Plan</h2><details><summary>The plan script</summary><pre>${esc(run.script ?? "(not planned yet)")}</pre></details>
<h2>Report</h2>${input.report === null ? "<p>No report yet.</p>" : `<details open><summary>Convergence report</summary><pre>${esc(input.report)}</pre></details>`}`;
  return renderPage({
    title: `Run ${run.id}`,
    viewer: input.viewer,
    body,
    data: { agents: `${base}/agents/`, ...(final ? {} : { events: `${base}/events?after=${timeline.lastSeq}` }) },
  });
}

function renderRow(agents: string, agent: TimelineAgent, span: number, verdict: string | undefined, canStop: boolean): string {
  const from = agent.startedAt ?? agent.queuedAt;
  const to = agent.endedAt ?? span;
  const style = `left:${((100 * from) / span).toFixed(2)}%;width:${((100 * Math.max(0, to - from)) / span).toFixed(2)}%`;
  const data = `data-q="${agent.queuedAt}"${agent.startedAt === null ? "" : ` data-s="${agent.startedAt}"`}${agent.endedAt === null ? "" : ` data-e="${agent.endedAt}"`}`;
  const state = STATE_NAMES[agent.state];
  const shown = verdict ? `<span class="st v-${esc(verdict)}">${esc(verdict)}</span>` : `<span class="st ${state}">${state}</span>`;
  const stop = canStop && (agent.state === "q" || agent.state === "r") ? `<button data-stop="${esc(agent.id)}">stop</button>` : "";
  return `<li id="ag-${esc(agent.id)}" class="${esc(agent.role)} ${agent.state}" ${data}><a href="${agents}${esc(agent.id)}" title="${esc(agent.label)}">${esc(agent.label)}</a><span class=bar><i style="${style}"></i></span>${shown}${stop}</li>`;
}

export interface AgentPageInput extends AgentView {
  run: RunRecord;
  viewer: Viewer | null;
  canWrite: boolean;
}

/** One agent: its transcript, readable. */
export function renderAgentPage(input: AgentPageInput): string {
  const { run } = input;
  const base = `${BASE}/runs/${esc(run.id)}`;
  const start = input.entries.find((e) => e.kind === "start")?.body;
  const label = input.label;
  const parts: string[] = [];
  let execution: string | null = null;
  for (const entry of input.entries) {
    if (entry.execution !== execution) {
      if (execution !== null) parts.push(`<h2>Run again (execution ${esc(entry.execution)})</h2>`);
      execution = entry.execution;
    }
    parts.push(renderEntry(entry, input.docs));
  }
  const running = input.state === "running" || input.state === "queued";
  const stop =
    input.canWrite && running
      ? `<form method=post action="${base}/agents/${esc(input.agentId)}/stop" data-confirm="Stop this agent? Its call resolves null in the script."><input type=hidden name=_csrf value="${esc(input.viewer?.csrf ?? "")}"><button class=danger>Stop this agent</button></form>`
      : "";
  const judged =
    input.judgedBy.length === 0
      ? ""
      : `<h2>Refuters of this change</h2>${input.judgedBy
          .map((r) => `<div><a href="${esc(r.agentId)}">${esc(r.label)}</a>: <b class="v-${esc(r.verdict ?? "")}">${esc(r.verdict ?? "no verdict")}</b>${r.evidence ? `<pre>${esc(r.evidence)}</pre>` : ""}</div>`)
          .join("")}`;
  const empty = input.entries.length === 0 ? "<p>No transcript was recorded for this agent (replayed from the journal, pruned, or recorded elsewhere).</p>" : "";
  const body = `<p><a href="${base}">← Run ${esc(run.id)}</a></p><h1>${esc(label)}</h1><div class=facts><span><b>Agent</b> ${esc(input.agentId)}</span><span><b>Role</b> ${esc(start?.role ?? "–")}</span><span><b>State</b> <span class="st ${esc(input.state ?? "")}">${esc(input.state ?? "–")}</span></span>${typeof start?.judges === "string" ? `<span><b>Judges</b> <code>${esc(start.judges.slice(0, 12))}</code></span>` : ""}</div>${stop}${empty}<div class=side><div>${parts.join("")}</div><div>${judged}</div></div>`;
  return renderPage({ title: label, viewer: input.viewer, body });
}

function renderEntry(entry: AgentPageInput["entries"][number], docs: AgentPageInput["docs"]): string {
  const b = entry.body;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  switch (entry.kind) {
    case "start":
      return `<p>Attempt ${esc(b.attempt)} started ${when(entry.at)}.</p>`;
    case "prompt": {
      const doc = (hash: unknown, name: string) => {
        const found = docs.get(text(hash));
        return `<details><summary>${esc(found?.name ?? name)} (shared)</summary><pre>${esc(found?.text ?? "(not stored)")}</pre></details>`;
      };
      return `<h2>Prompt</h2><p>Model <code>${esc(b.model)}</code></p>${doc(b.system, "system prompt")}${doc(b.shared, "task context")}<details open><summary>This agent's message</summary>${renderTextWithDiffs(text(b.prompt))}</details>`;
    }
    case "turn": {
      const usage = (b.usage ?? {}) as Record<string, number>;
      const tokens = (usage.input ?? 0) + (usage.output ?? 0) + (usage.cacheWrite ?? 0) + (usage.cacheRead ?? 0);
      return `<h2>Turn ${esc(b.turn)}</h2><p class=facts><span>${tokens} tokens (${usage.output ?? 0} out, ${usage.cacheRead ?? 0} cache read)</span><span>${usd(Number(b.costUsd) || 0)}</span><span>${duration(Number(b.ms) || 0)}</span><span>${esc(b.stopReason ?? "")}</span></p>${text(b.text) ? `<pre>${esc(b.text)}</pre>` : ""}`;
    }
    case "tool":
      return `<details class=tool><summary><code>${esc(b.name)}</code> ${esc(summaryOfInput(text(b.input)))}${b.isError ? " <span class=err>error</span>" : ""} · ${duration(Number(b.ms) || 0)}</summary>${renderToolInput(text(b.name), text(b.input))}<pre>${esc(b.output)}</pre></details>`;
    case "truncated":
      return `<p class=note>Transcript cut here: the ${b.reason === "run" ? "run's" : "agent's"} bound of ${Math.round(Number(b.limitBytes) / 1024)} KB was reached${b.reason === "run" ? " (DYNFLOW_TRANSCRIPT_RUN_MB)" : " (DYNFLOW_TRANSCRIPT_AGENT_KB)"}.</p>`;
    case "verdict":
      return `<p>Verdict: <b class="v-${esc(b.verdict)}">${esc(b.verdict)}</b></p>`;
    case "end": {
      const change = b.change as { branch?: string; commit?: string; additions?: number; deletions?: number; incomplete?: boolean; files?: { path: string }[] } | null;
      const output = text(b.output);
      return `<h2>Ended: <span class="st ${esc(b.status)}">${esc(b.status)}</span></h2>${b.error ? `<p class=err>${esc(b.error)}</p>` : ""}${b.summary ? `<h3>Summary</h3><pre>${esc(b.summary)}</pre>` : ""}${output ? `<h3>Result</h3><pre>${esc(b.outputIsJson ? prettyJson(output) : output)}</pre>` : ""}${
        change ? `<h3>Change</h3><p><code>${esc(change.branch)}</code> at <code>${esc(String(change.commit ?? "").slice(0, 12))}</code>: +${esc(change.additions)} −${esc(change.deletions)}${change.incomplete ? " (incomplete)" : ""}</p>` : ""
      }${typeof b.diff === "string" ? renderDiff(b.diff) : ""}${b.shortened ? "<p class=note>Shortened to fit the transcript's bound.</p>" : ""}`;
    }
    default:
      return "";
  }
}

/** edit_file inputs as a diff of the replaced text; other inputs as JSON. */
function renderToolInput(name: string, input: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return `<pre>${esc(input)}</pre>`;
  }
  const object = objectOf(parsed as never);
  if (name === "edit_file" && object && typeof object.old_text === "string" && typeof object.new_text === "string") {
    const lines = [`--- ${String(object.path ?? "")}`, `+++ ${String(object.path ?? "")}`, ...object.old_text.split("\n").map((l) => `-${l}`), ...object.new_text.split("\n").map((l) => `+${l}`)];
    return renderDiff(lines.join("\n"));
  }
  return `<pre>${esc(JSON.stringify(parsed, null, 2))}</pre>`;
}

function summaryOfInput(input: string): string {
  try {
    const parsed = JSON.parse(input) as Record<string, unknown>;
    const first = parsed.path ?? parsed.pattern ?? parsed.glob ?? parsed.summary;
    return typeof first === "string" ? first.slice(0, 80) : "";
  } catch {
    return "";
  }
}

/** CI state, when the run recorded one (`result.ci.state` or `result.ci.conclusion`). */
function ciOf(result: unknown): string | null {
  const ci = objectOf(objectOf(result)?.ci ?? null);
  const state = ci?.conclusion ?? ci?.state;
  return typeof state === "string" ? state.slice(0, 40) : null;
}
