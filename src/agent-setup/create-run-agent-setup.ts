/**
 * The agent setup of one run from its settings, the same for a real run, its
 * estimate and a simulation: role models and shortcuts from the repository's
 * config, the price table, and where its agent definitions are read.
 */
import { DEFAULT_MODELS, DEFAULT_PRICES, mergeAliases, type PriceTable, type Role } from "../agents/model/index.js";
import type { DynflowError } from "../errors.js";
import type { AgentPreparer } from "../runtime/types.js";
import { createAgentPreparer } from "./create-agent-preparer.js";
import { createAgentTypeLoader, type AgentDefinitionSource } from "./load-agent-types.js";

export interface RunAgentSetupOptions {
  models?: Partial<Record<Role, string>>;
  /** The repository's shortcuts (merged over the built-in ones). */
  modelAliases?: Readonly<Record<string, string>>;
  /** The whole price table (default the built-in one). */
  prices?: Readonly<PriceTable>;
  /** Where `.claude/agents/` is read; null: built-in agent types only. */
  agentDefinitions: AgentDefinitionSource | null;
}

/** The run's `AgentPreparer`. */
export function createRunAgentSetup(options: RunAgentSetupOptions): AgentPreparer {
  return createAgentPreparer({
    models: { ...DEFAULT_MODELS, ...definedOnly(options.models ?? {}) },
    aliases: mergeAliases(options.modelAliases),
    prices: options.prices ?? DEFAULT_PRICES,
    agentTypes: createAgentTypeLoader(options.agentDefinitions),
  });
}

/**
 * `prepare`, remembering the first error that stopped the run, so a caller
 * that only sees the run's outcome (an estimate) can raise it as itself.
 */
export function catchFatal(prepare: AgentPreparer): { prepare: AgentPreparer; fatal: () => DynflowError | null } {
  let fatal: DynflowError | null = null;
  return {
    prepare: async (call) => {
      const setup = await prepare(call);
      if (!setup.ok && "fatal" in setup) fatal ??= setup.fatal;
      return setup;
    },
    fatal: () => fatal,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
