/**
 * A scripted model for audit runs of the bundled `workflows/audit.js`,
 * answering through `test/fakes/fake-anthropic.ts`: each finder reports the
 * findings the test planted in its module, and each refuter refutes the
 * findings the test marked as false, upholding the rest. Tests change what
 * is planted between runs (a finding fixed, a new one).
 */
import { reply, type FakeHandler, type RecordedRequest } from "../fakes/fake-anthropic.js";

/** `.github/dynflow.yml` of the audit tests: one audit on the bundled workflow, one batched with its own budget. */
export const AUDIT_CONFIG = `audits:
  - name: nightly
    cron: "0 9 * * *"
    args: { problem: "URLs built by string concatenation" }
  - name: cheap
    cron: "0 3 * * SUN"
    args: "URLs built by string concatenation"
    batch: true
    budget: { usd: 5 }
`;

/** A finding as the audit's finders report it (the workflow's FINDINGS schema). */
export interface PlantedFinding {
  title: string;
  path: string;
  line: number;
  severity: "critical" | "high" | "medium" | "low";
  evidence: string;
}

export interface AuditModel {
  handler: FakeHandler;
  /** Findings each module's finder reports, by module name (`src/billing`); a module absent here reports none. */
  findings: Record<string, PlantedFinding[]>;
  /** Titles the refuters refute. */
  refuted: Set<string>;
  /** Modules whose finder was asked, in order. */
  audited: string[];
}

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

/** A fresh model with nothing planted. */
export function auditModel(): AuditModel {
  const model: AuditModel = {
    findings: {},
    refuted: new Set(),
    audited: [],
    handler: (request) => {
      const text = textOf(request);
      if (text.includes("You are a refuter agent")) {
        const all = Object.values(model.findings).flat();
        const finding = all.find((candidate) => text.includes(`${candidate.path}:${candidate.line}: ${candidate.title}`));
        if (finding === undefined) return reply.text("unexpected claim");
        const refuted = model.refuted.has(finding.title);
        const evidence = refuted ? `${finding.path}:${finding.line} does not do that: the value is checked first` : `${finding.path}:${finding.line} shows it as stated`;
        return reply.toolUse("finish", { summary: "checked the finding", result: { verdict: refuted ? "refuted" : "upheld", evidence } });
      }
      const module = /Audit the module "([^"]+)"/.exec(text)?.[1];
      if (text.includes("You are a worker agent") && module !== undefined) {
        model.audited.push(module);
        return reply.toolUse("finish", { summary: `audited ${module}`, result: { findings: model.findings[module] ?? [] } });
      }
      return reply.text("unexpected request");
    },
  };
  return model;
}
