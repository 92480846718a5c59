/**
 * Errors of agent setup: what an `agent()` call's agent type and model
 * resolve to before it runs.
 */
import { DynflowError } from "../errors.js";

/**
 * A call asks for a model the price table does not know, so its spend could
 * not be counted: the run stops (a preview stops it before any agent starts).
 */
export class ModelWithoutPriceError extends DynflowError {
  declare readonly code: "model_without_price";
  /** The model id without a price. */
  readonly model: string;
  /** What asked for it, in words (`agent()'s model "x"`, an agent type, a phase). */
  readonly requestedBy: string;

  constructor(model: string, requestedBy: string) {
    super(
      "model_without_price",
      `${requestedBy} asks for model "${model}", which has no price, so the run's spend could not be counted and the run was stopped. ` +
        `Add its price under \`prices:\` in .github/dynflow.yml (\`${model}: { input: ..., output: ..., cacheWrite: ..., cacheRead: ... }\` ` +
        `in US dollars per million tokens; the deployment's DYNFLOW_PRICES works too), or use a priced model id or a shortcut ` +
        `(opus, sonnet, haiku, fable, inherit).`,
    );
    this.model = model;
    this.requestedBy = requestedBy;
  }
}

/** An agent definition file (`.claude/agents/<name>.md`) that cannot be used. */
export class InvalidAgentDefinitionError extends DynflowError {
  declare readonly code: "invalid_agent_definition";
  /** Repository path of the file. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super("invalid_agent_definition", `agent definition ${path} cannot be used: ${reason}`);
    this.path = path;
  }
}
