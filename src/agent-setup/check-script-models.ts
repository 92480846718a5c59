/**
 * A look at a script before it runs: every model its `agent()` calls name
 * literally (`agent(p, { model: "haiku" })`, an `agentType` whose definition
 * names one, `meta.phases[].model`) must have a price, so a run that would
 * stop on an unpriced model stops before any agent starts. Models a script
 * computes are checked when the call is made, which stops the run then.
 */
import { parse, type Node } from "acorn";
import * as walk from "acorn-walk";
import type { DynflowError } from "../errors.js";
import type { AgentOptions, AgentPreparer, PhaseDefaults } from "../runtime/types.js";

/** The script API functions whose second argument takes `agent()`'s options. */
const AGENT_CALLS = new Set(["agent", "worker", "converge", "refute"]);

type Literal = { key: "model" | "agentType" | "effort"; value: string };

/** The first error that would stop the run, or null. Never throws for a script that does not parse (running it reports that). */
export async function checkScriptModels(source: string, prepare: AgentPreparer): Promise<DynflowError | null> {
  const named = namedModels(source);
  if (named === null) return null;
  for (const options of named.calls) {
    const setup = await prepare({ prompt: "(checked before the run)", options: { ...options }, phase: null });
    if (!setup.ok && "fatal" in setup) return setup.fatal;
  }
  for (const phase of named.phases) {
    const setup = await prepare({ prompt: "(checked before the run)", options: {}, phase: { ...phase } });
    if (!setup.ok && "fatal" in setup) return setup.fatal;
  }
  return null;
}

interface NamedModels {
  calls: AgentOptions[];
  phases: PhaseDefaults[];
}

/** Scripts read lately, by source: a run's plan and its execution read the same one. */
const readScripts = new Map<string, NamedModels | null>();
const READ_SCRIPTS_KEPT = 16;

/** The options of agent calls and the phases that name a model literally; null for a script that does not parse. */
function namedModels(source: string): NamedModels | null {
  const known = readScripts.get(source);
  if (known !== undefined) return known;
  let named: NamedModels | null = null;
  try {
    const program = parse(source, { ecmaVersion: "latest", sourceType: "module", allowReturnOutsideFunction: true });
    const calls: AgentOptions[] = [];
    const phases: PhaseDefaults[] = [];
    walk.full(program, (node) => {
      if (node.type === "CallExpression") {
        const call = node as unknown as { callee: { type: string; name?: string }; arguments: Node[] };
        if (call.callee.type !== "Identifier" || !AGENT_CALLS.has(call.callee.name ?? "")) return;
        const options = call.arguments[1];
        if (options?.type === "ObjectExpression") calls.push(toOptions(literalsOf(options)));
      } else if (node.type === "ExportNamedDeclaration") {
        phases.push(...metaPhases(node));
      }
    });
    named = { calls, phases };
  } catch {
    named = null;
  }
  if (readScripts.size >= READ_SCRIPTS_KEPT) readScripts.delete(readScripts.keys().next().value as string);
  readScripts.set(source, named);
  return named;
}

function toOptions(literals: Literal[]): AgentOptions {
  const options: AgentOptions = {};
  for (const { key, value } of literals) if (key !== "effort") options[key] = value;
  return options;
}

/** `model`, `agentType` and `effort` properties of an object literal whose values are plain strings. */
function literalsOf(object: Node): Literal[] {
  const found: Literal[] = [];
  for (const property of (object as unknown as { properties: Node[] }).properties) {
    if (property.type !== "Property") continue;
    const { key, value, computed } = property as unknown as { key: { type: string; name?: string; value?: unknown }; value: Node; computed: boolean };
    const name = computed ? undefined : key.type === "Identifier" ? key.name : typeof key.value === "string" ? key.value : undefined;
    if (name !== "model" && name !== "agentType" && name !== "effort") continue;
    const text = stringOf(value);
    if (text !== undefined) found.push({ key: name, value: text });
  }
  return found;
}

/** `meta.phases` entries with a literal `model` or `effort`. */
function metaPhases(node: Node): PhaseDefaults[] {
  const declaration = (node as unknown as { declaration?: { type: string; declarations?: { id: { name?: string }; init?: Node }[] } }).declaration;
  const meta = declaration?.declarations?.find((d) => d.id.name === "meta")?.init;
  if (meta?.type !== "ObjectExpression") return [];
  const phases = (meta as unknown as { properties: { key: { name?: string }; value: Node }[] }).properties.find((p) => p.key?.name === "phases")?.value;
  if (phases?.type !== "ArrayExpression") return [];
  return (phases as unknown as { elements: (Node | null)[] }).elements.flatMap((element) => {
    if (element?.type !== "ObjectExpression") return [];
    const model = literalsOf(element).find((l) => l.key === "model")?.value;
    const title = (element as unknown as { properties: { key: { name?: string }; value: Node }[] }).properties.find((p) => p.key?.name === "title")?.value;
    return model === undefined ? [] : [{ title: (title && stringOf(title)) ?? "?", model }];
  });
}

function stringOf(node: Node): string | undefined {
  if (node.type === "Literal") {
    const value = (node as unknown as { value: unknown }).value;
    return typeof value === "string" ? value : undefined;
  }
  if (node.type === "TemplateLiteral") {
    const template = node as unknown as { expressions: unknown[]; quasis: { value: { cooked: string | null } }[] };
    return template.expressions.length === 0 ? (template.quasis[0]?.value.cooked ?? undefined) : undefined;
  }
  return undefined;
}
