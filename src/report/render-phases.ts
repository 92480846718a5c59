/**
 * A Mermaid flowchart of the run's phases with their agent counts.
 */
import { mermaidLabel } from "./escape-markdown.js";
import { groupDigits, plural } from "./format-values.js";

/** Most phase nodes drawn; the rest are folded into one node. */
const MAX_NODES = 30;

/** Renders the phases that started agents as a left-to-right flowchart in a ```mermaid block; null when none did. */
export function renderPhases(all: readonly { title: string; agents: number }[]): string | null {
  // A phase that started no agent (declared in meta, or only logged) did no work worth a node.
  const phases = all.filter((phase) => phase.agents > 0);
  if (phases.length === 0) return null;
  const nodes = phases.slice(0, phases.length > MAX_NODES ? MAX_NODES - 1 : MAX_NODES).map((p) => ({
    label: `${mermaidLabel(p.title || "(untitled)")}<br/>${plural(p.agents, "agent")}`,
  }));
  const rest = phases.slice(nodes.length);
  if (rest.length > 0) {
    const agents = rest.reduce((n, p) => n + p.agents, 0);
    nodes.push({ label: `… ${groupDigits(rest.length)} more phases<br/>${plural(agents, "agent")}` });
  }
  // Phase titles are model text: they only ever appear inside quoted labels, escaped.
  const lines = nodes.map((node, i) => `  p${i}["${node.label}"]`);
  const edges = nodes.slice(1).map((_, i) => `  p${i} --> p${i + 1}`);
  return ["```mermaid", "flowchart LR", ...lines, ...edges, "```"].join("\n");
}
