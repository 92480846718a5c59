/**
 * What the run and agent views show, read from the store once for every
 * surface that shows them: the dashboard's pages and `dynflow show`.
 */
import type { RunEvent } from "../runtime/types.js";
import type { RunRecord, Store } from "../store/index.js";
import { DOC_AGENT } from "../transcripts/types.js";
import { buildTimeline, STATE_NAMES, type Timeline } from "./build-timeline.js";

/** A run: its agents as a timeline, refuters' verdicts, the report as written, the transcripts' bound. */
export interface RunView {
  run: RunRecord;
  timeline: Timeline;
  /** Verdict of each refuter, by agent id. */
  verdicts: Map<string, string>;
  /** The convergence report as it was written, once there is one. */
  report: string | null;
  /** True when the run's transcripts reached their bound. */
  transcriptTruncated: boolean;
}

/** One transcript entry as the views show it. */
export interface ViewEntry {
  execution: string;
  kind: string;
  body: Record<string, unknown>;
  at: number;
}

/** A refuter that judged an agent's change. */
export interface Judgement {
  agentId: string;
  label: string;
  verdict: string | null;
  evidence: string | null;
}

/** An agent: its transcript, the shared documents it refers to, the refuters of its change. */
export interface AgentView {
  agentId: string;
  /** Its label from the transcript, else from the timeline, else its id. */
  label: string;
  /** Entries of every execution, oldest first. */
  entries: ViewEntry[];
  /** Shared documents by hash (system prompts, task context). */
  docs: Map<string, { name: string; text: string }>;
  judgedBy: Judgement[];
  /** `queued`, `running`, `finished`, … from the timeline; null when the timeline does not list it. */
  state: string | null;
}

type ViewStore = Pick<Store, "events" | "transcripts">;

/** Reads a run's view. */
export async function readRunView(store: ViewStore, run: RunRecord): Promise<RunView> {
  const [events, verdicts, docs, usage] = await Promise.all([
    allEvents(store, run.id),
    store.transcripts.listKinds(run.id, ["verdict"]),
    store.transcripts.listAgent(run.id, DOC_AGENT),
    store.transcripts.usage(run.id),
  ]);
  const report = docs.filter((doc) => field(doc.body, "name") === "report").at(-1);
  return {
    run,
    timeline: buildTimeline(events),
    verdicts: new Map(verdicts.map((v) => [v.agentId, String(field(v.body, "verdict") ?? "")])),
    report: report ? String(field(report.body, "text") ?? "") : null,
    transcriptTruncated: usage.truncated,
  };
}

/** Reads one agent's view; null when the run has no such agent (no transcript and not on the timeline). */
export async function readAgentView(store: ViewStore, run: RunRecord, agentId: string, timeline?: Timeline): Promise<AgentView | null> {
  const [entries, docs, starts, known] = await Promise.all([
    store.transcripts.listAgent(run.id, agentId),
    store.transcripts.listAgent(run.id, DOC_AGENT),
    store.transcripts.listKinds(run.id, ["start"]),
    timeline ?? allEvents(store, run.id).then(buildTimeline),
  ]);
  const agent = known.agents.find((a) => a.id === agentId);
  if (entries.length === 0 && agent === undefined) return null;
  // Refuters whose subject was this agent's change, with their verdict and evidence, shown beside it.
  const commits = new Set(entries.flatMap((e) => (e.kind === "end" ? [String(field(field(e.body, "change"), "commit") ?? "")] : [])).filter(Boolean));
  const judges = [...new Set(starts.filter((s) => commits.has(String(field(s.body, "judges") ?? ""))).map((s) => s.agentId))];
  const judgedBy = await Promise.all(
    judges.map(async (id): Promise<Judgement> => {
      const list = await store.transcripts.listAgent(run.id, id);
      const end = list.filter((e) => e.kind === "end").at(-1);
      const verdict = list.filter((e) => e.kind === "verdict").at(-1);
      return {
        agentId: id,
        label: String(field(list[0]?.body, "label") ?? id),
        verdict: verdict ? String(field(verdict.body, "verdict")) : null,
        evidence: evidenceOf(String(field(end?.body, "output") ?? "")),
      };
    }),
  );
  const start = entries.find((e) => e.kind === "start");
  return {
    agentId,
    label: String(field(start?.body, "label") ?? agent?.label ?? agentId),
    entries: entries.map((e) => ({ execution: e.execution, kind: e.kind, body: isObject(e.body) ? e.body : {}, at: e.at })),
    docs: new Map(docs.map((d) => [d.execution, { name: String(field(d.body, "name") ?? ""), text: String(field(d.body, "text") ?? "") }])),
    judgedBy,
    state: agent ? STATE_NAMES[agent.state] : null,
  };
}

/** Every stored event of a run, in order. */
export async function allEvents(store: Pick<Store, "events">, runId: string): Promise<{ seq: number; event: RunEvent }[]> {
  const events: { seq: number; event: RunEvent }[] = [];
  for (;;) {
    const batch = await store.events.list(runId, { afterSeq: events.at(-1)?.seq ?? 0, limit: 5000 });
    events.push(...batch);
    if (batch.length < 5000) return events;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function field(value: unknown, name: string): unknown {
  return isObject(value) ? value[name] : undefined;
}

/** A refuter's evidence: the `evidence` field of its JSON answer, else the answer itself. */
function evidenceOf(output: string): string | null {
  try {
    const parsed = JSON.parse(output) as { evidence?: unknown };
    return typeof parsed.evidence === "string" ? parsed.evidence : output || null;
  } catch {
    return output || null;
  }
}
