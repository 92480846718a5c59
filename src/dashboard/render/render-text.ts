/**
 * The dashboard's views as plain text, for `dynflow show`: the runs, one
 * run with its agents as a timeline (a bar per agent over the run's span),
 * one agent's transcript. Pure; no colours, so it pipes and greps well.
 */
import type { RunRecord } from "../../store/index.js";
import { STATE_NAMES, type TimelineAgent } from "../build-timeline.js";
import type { AgentView, RunView, ViewEntry } from "../read-run-views.js";
import { duration, usd, when } from "./html.js";
import { estimateUsd, isFinal, objectOf, prettyJson, spentUsd, subjectOf } from "./run-facts.js";

/** Width of the timeline's bars, in characters. */
const BAR = 30;

/** The runs, newest first: one line each. */
export function renderRunsText(runs: readonly RunRecord[], now: number): string {
  if (runs.length === 0) return "No runs yet.\n";
  const lines = runs.map((run) => {
    const result = objectOf(run.result);
    const cost = typeof result?.costUsd === "number" ? usd(result.costUsd) : "–";
    const agents = typeof result?.agents === "number" ? String(result.agents) : "–";
    const end = isFinal(run.status) ? run.updatedAt : now;
    return [run.id.padEnd(10), run.status.padEnd(17), `${agents.padStart(5)} agents`, cost.padStart(9), duration(end - run.createdAt).padStart(12), `  ${when(run.createdAt)}  ${subjectOf(run)}`].join(" ");
  });
  return `${lines.join("\n")}\n`;
}

/** One run: facts, the timeline by phase, the report's place. `full` adds the plan script and the report itself. */
export function renderRunText(view: RunView, options: { now: number; full?: boolean }): string {
  const { run, timeline } = view;
  const result = objectOf(run.result);
  const final = isFinal(run.status);
  const estimate = estimateUsd(run.plan);
  const spent = spentUsd(run, timeline.spentUsd);
  const counts = new Map<string, number>();
  for (const agent of timeline.agents) counts.set(STATE_NAMES[agent.state], (counts.get(STATE_NAMES[agent.state]) ?? 0) + 1);
  const out = [
    `Run ${run.id}: ${run.status}`,
    `  Task        ${subjectOf(run)}`,
    `  Repository  ${run.owner}/${run.repo}${run.baseRef ? ` at ${run.baseRef}` : ""}${run.baseSha ? ` (${run.baseSha.slice(0, 12)})` : ""}`,
    `  Agents      ${timeline.agents.length}${counts.size > 0 ? ` (${[...counts].map(([state, n]) => `${n} ${state}`).join(", ")})` : ""}`,
    `  Spent       ${usd(spent)}${estimate === null ? "" : ` of ${usd(estimate)} estimated`}`,
    `  Duration    ${duration((final ? run.updatedAt : options.now) - run.createdAt)}${final ? "" : " so far"}`,
  ];
  if (typeof result?.branch === "string") out.push(`  Branch      ${result.branch}${typeof result.commit === "string" ? ` at ${result.commit.slice(0, 12)}` : ""}`);
  if (typeof result?.report === "string") out.push(`  Report      ${result.report}`);
  if (run.error) out.push(`  Error       ${run.error.message}`);
  if (view.transcriptTruncated) out.push("  Note        this run's transcripts reached their size bound; later entries were cut");

  out.push("", `Timeline (${timeline.finishedAfter === null ? "time since the start" : `${duration(timeline.finishedAfter)} in all`}; ░ queued, █ running)`);
  const span = Math.max(1, timeline.finishedAfter ?? (timeline.t0 === null ? 1 : options.now - timeline.t0));
  const width = Math.min(40, Math.max(8, ...timeline.agents.map((a) => a.label.length)));
  let phase: string | null | undefined;
  for (const agent of timeline.agents) {
    if (agent.phase !== phase) {
      phase = agent.phase;
      out.push(`  ${phase ?? "(no phase)"}`);
    }
    const verdict = view.verdicts.get(agent.id);
    const state = verdict ? `${STATE_NAMES[agent.state]}: ${verdict}` : STATE_NAMES[agent.state];
    const label = agent.label.length > width ? `${agent.label.slice(0, width - 1)}…` : agent.label.padEnd(width);
    out.push(`    ${agent.id.padEnd(6)} ${agent.role.padEnd(8)} ${label} ${bar(agent, span)} ${state}${agent.costUsd > 0 ? `  ${usd(agent.costUsd)}` : ""}`);
    if (agent.error && agent.state !== "d") out.push(`           ${agent.error.split("\n", 1)[0]?.slice(0, 160) ?? ""}`);
  }
  if (timeline.agents.length === 0) out.push("  (no agent yet)");
  if (options.full) {
    out.push("", "Plan script", indent(run.script ?? "(not planned yet)"));
    out.push("", "Report", indent(view.report ?? "(no report yet)"));
  }
  out.push("", `One agent: dynflow show ${run.id} --agent <id or label>`);
  return `${out.join("\n")}\n`;
}

/** One agent's transcript. `full` also prints the shared system prompt and task context. */
export function renderAgentText(runId: string, view: AgentView, options: { full?: boolean } = {}): string {
  const start = view.entries.find((e) => e.kind === "start")?.body;
  const out = [`Agent ${view.agentId} of run ${runId}: ${view.label}`, `  Role   ${text(start?.role) || "–"}`, `  State  ${view.state ?? "–"}`];
  if (typeof start?.judges === "string") out.push(`  Judges the change at ${start.judges.slice(0, 12)}`);
  if (view.entries.length === 0) out.push("", "No transcript was recorded for this agent (replayed from the journal, pruned, or recorded elsewhere).");
  let execution: string | null = null;
  for (const entry of view.entries) {
    if (entry.execution !== execution) {
      if (execution !== null) out.push("", `Run again (execution ${entry.execution})`);
      execution = entry.execution;
    }
    out.push(...renderEntry(entry, view.docs, options.full === true));
  }
  if (view.judgedBy.length > 0) {
    out.push("", "Refuters of this change");
    for (const judge of view.judgedBy) {
      out.push(`  ${judge.agentId} ${judge.label}: ${judge.verdict ?? "no verdict"}`);
      if (judge.evidence) out.push(indent(judge.evidence, 4));
    }
  }
  return `${out.join("\n")}\n`;
}

function renderEntry(entry: ViewEntry, docs: AgentView["docs"], full: boolean): string[] {
  const b = entry.body;
  switch (entry.kind) {
    case "start":
      return ["", `Attempt ${text(b.attempt) || "1"} started ${when(entry.at)}`];
    case "prompt": {
      const doc = (hash: unknown, name: string) => {
        const found = docs.get(text(hash));
        const title = `${found?.name ?? name} (shared)`;
        if (!found) return [`  ${title}: not stored`];
        return full ? [`  ${title}:`, indent(found.text, 4)] : [`  ${title}: ${found.text.length} characters (--full prints it)`];
      };
      return ["", `Prompt (model ${text(b.model)})`, ...doc(b.system, "system prompt"), ...doc(b.shared, "task context"), "  This agent's message:", indent(text(b.prompt), 4)];
    }
    case "turn": {
      const usage = objectOf(b.usage) ?? {};
      const n = (key: string) => (typeof usage[key] === "number" ? usage[key] : 0);
      const tokens = n("input") + n("output") + n("cacheWrite") + n("cacheRead");
      const head = `Turn ${text(b.turn)}: ${tokens} tokens (${n("output")} out, ${n("cacheRead")} cache read), ${usd(Number(b.costUsd) || 0)}, ${duration(Number(b.ms) || 0)}${b.stopReason ? `, ${text(b.stopReason)}` : ""}`;
      return ["", head, ...(text(b.text) ? [indent(text(b.text), 4)] : [])];
    }
    case "tool":
      return [`  → ${text(b.name)}${b.isError ? " (error)" : ""}, ${duration(Number(b.ms) || 0)}`, indent(toolInput(text(b.name), text(b.input)), 6), "      output:", indent(text(b.output), 8)];
    case "truncated":
      return ["", `[transcript cut here: the ${b.reason === "run" ? "run's" : "agent's"} bound of ${Math.round(Number(b.limitBytes) / 1024)} KB was reached]`];
    case "verdict":
      return ["", `Verdict: ${text(b.verdict)}`];
    case "end": {
      const out = ["", `Ended: ${text(b.status)}`];
      if (b.error) out.push(`  Error: ${text(b.error)}`);
      if (b.summary) out.push("  Summary:", indent(text(b.summary), 4));
      if (b.output) out.push("  Result:", indent(b.outputIsJson ? prettyJson(text(b.output)) : text(b.output), 4));
      const change = objectOf(b.change);
      if (change) out.push(`  Change: ${text(change.branch)} at ${text(change.commit).slice(0, 12)}: +${text(change.additions)} −${text(change.deletions)}${change.incomplete ? " (incomplete)" : ""}`);
      if (typeof b.diff === "string") out.push(indent(b.diff, 4));
      if (b.shortened) out.push("  (shortened to fit the transcript's bound)");
      return out;
    }
    default:
      return [];
  }
}

/** A tool's input: `edit_file` as the replaced lines, others as indented JSON. */
function toolInput(name: string, input: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return input;
  }
  const object = objectOf(parsed);
  if (name === "edit_file" && object && typeof object.old_text === "string" && typeof object.new_text === "string") {
    return [`--- ${text(object.path)}`, `+++ ${text(object.path)}`, ...object.old_text.split("\n").map((l) => `-${l}`), ...object.new_text.split("\n").map((l) => `+${l}`)].join("\n");
  }
  return JSON.stringify(parsed, null, 2);
}

function bar(agent: TimelineAgent, span: number): string {
  const at = (ms: number) => Math.min(BAR, Math.max(0, Math.round((BAR * ms) / span)));
  const queued = at(agent.queuedAt);
  const started = agent.startedAt === null ? null : at(agent.startedAt);
  const ended = at(agent.endedAt ?? span);
  const cells = Array.from({ length: BAR }, (_, i) => {
    if (started !== null && i >= started && i < Math.max(ended, started + 1)) return "█";
    if (i >= queued && i < (started ?? ended)) return "░";
    return " ";
  });
  return `|${cells.join("")}|`;
}

function indent(value: string, spaces = 2): string {
  const pad = " ".repeat(spaces);
  return value
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join("\n");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}
