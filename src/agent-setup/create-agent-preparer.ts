/**
 * What an `agent()` call becomes before it runs, the same way for a real run,
 * its estimate and `dynflow simulate`: its agent type applied (role prompt,
 * tools, model, effort, turns), model shortcuts resolved to model ids, every
 * model checked against the price table, and effort checked against what the
 * model takes.
 *
 * Precedence, most specific first: the call's own option, then its agent
 * type's front matter, then its phase's entry in `meta.phases`, then the
 * role's configured model.
 */
import { isEffort, planEffort, priceFor, resolveModelAlias, UnknownModelPriceError, type PriceTable, type Role } from "../agents/model/index.js";
import type { AgentOptions, AgentPreparer, AgentSetup, AgentSetupCall } from "../runtime/types.js";
import { ALWAYS_OFFERED, knownClaudeTools, mapClaudeTools } from "./claude-tool-names.js";
import { ModelWithoutPriceError } from "./errors.js";
import type { AgentTypeLoader } from "./load-agent-types.js";
import type { AgentDefinition } from "./parse-agent-definition.js";

export interface AgentPreparerOptions {
  /** The configured model id of each role (what `inherit` and "no model" mean). */
  models: Readonly<Record<Role, string>>;
  /** Shortcut names to model ids (defaults merged with the repository's). */
  aliases: Readonly<Record<string, string>>;
  prices: Readonly<PriceTable>;
  agentTypes: AgentTypeLoader;
}

/** Creates the preparer; see the module comment. */
export function createAgentPreparer(options: AgentPreparerOptions): AgentPreparer {
  return async (call) => {
    const warnings: string[] = [];
    let definition: AgentDefinition | null = null;
    if (call.options.agentType !== undefined) {
      const loaded = await options.agentTypes(call.options.agentType);
      if (!loaded.ok) return { ok: false, error: loaded.error };
      definition = loaded.definition;
    }
    const resolved: AgentOptions = { ...call.options };
    const role: Role = call.options.role ?? "worker";

    const model = chooseModel(call, definition);
    const modelId = resolveModelAlias(model?.value, options.aliases);
    if (modelId === undefined) delete resolved.model;
    else resolved.model = modelId;
    const effective = modelId ?? options.models[role];
    try {
      priceFor(effective, options.prices);
    } catch (error) {
      if (!(error instanceof UnknownModelPriceError)) throw error;
      return { ok: false, fatal: new ModelWithoutPriceError(effective, model?.from ?? `the ${role} role's configured model`), warnings };
    }

    const effort = chooseEffort(call, definition);
    delete resolved.effort;
    if (effort !== undefined) {
      if (!isEffort(effort.value)) {
        warnings.push(`${effort.from} sets effort "${effort.value}", which is ignored: use low, medium, high, xhigh or max`);
      } else {
        resolved.effort = effort.value;
        const note = planEffort(effective, effort.value).note;
        if (note !== undefined) warnings.push(note);
      }
    }

    if (definition !== null) {
      const applied = applyDefinition(resolved, definition, warnings);
      if (applied !== null) return applied;
    }
    return { ok: true, options: resolved, warnings };
  };
}

interface Chosen {
  value: string;
  /** What set it, in words, for messages. */
  from: string;
}

function chooseModel(call: AgentSetupCall, definition: AgentDefinition | null): Chosen | undefined {
  if (call.options.model !== undefined) return { value: call.options.model, from: `agent()'s model option "${call.options.model}"` };
  if (definition?.model !== undefined) return { value: definition.model, from: `agent type "${definition.name}" (${definition.source})` };
  if (call.phase?.model !== undefined) return { value: call.phase.model, from: `phase "${call.phase.title}" in meta.phases` };
  return undefined;
}

function chooseEffort(call: AgentSetupCall, definition: AgentDefinition | null): Chosen | undefined {
  if (call.options.effort !== undefined) return { value: call.options.effort, from: "agent()" };
  if (definition?.effort !== undefined) return { value: definition.effort, from: `agent type "${definition.name}" (${definition.source})` };
  if (call.phase?.effort !== undefined) return { value: call.phase.effort, from: `phase "${call.phase.title}" in meta.phases` };
  return undefined;
}

/** Role prompt, tools and turns of the agent type; a failed setup when its tools resolve to nothing. */
function applyDefinition(resolved: AgentOptions, definition: AgentDefinition, warnings: string[]): AgentSetup | null {
  if (definition.prompt !== "") resolved.rolePrompt = { type: definition.name, source: definition.source, text: definition.prompt };
  if (resolved.maxTurns === undefined && definition.maxTurns !== undefined) resolved.maxTurns = definition.maxTurns;
  if (definition.tools === undefined && definition.disallowedTools === undefined) return null;

  const ignored: string[] = [];
  if (definition.tools !== undefined) {
    const granted = mapClaudeTools(definition.tools);
    ignored.push(...granted.unknown);
    if (granted.tools.length === 0) {
      return {
        ok: false,
        error:
          `agent type "${definition.name}" (${definition.source}) lists tools ${definition.tools.join(", ") || "(none)"}, none of which dynflow has; ` +
          `use ${knownClaudeTools().join(", ")}`,
        warnings,
      };
    }
    resolved.tools = [...granted.tools, ...ALWAYS_OFFERED];
  }
  if (definition.disallowedTools !== undefined) {
    const removed = mapClaudeTools(definition.disallowedTools);
    ignored.push(...removed.unknown);
    if (removed.tools.length > 0) resolved.withoutTools = removed.tools;
  }
  if (ignored.length > 0) {
    warnings.push(`agent type "${definition.name}" (${definition.source}): ${ignored.join(", ")} ignored, dynflow has no such tool (it maps ${knownClaudeTools().join(", ")})`);
  }
  return null;
}
