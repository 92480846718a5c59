/**
 * An agent type's role prompt inside dynflow's own frame: dynflow's system
 * prompt for the role comes first (how tools, scopes and `finish` work, which
 * an agent type cannot change), then the role. Agents of one type share the
 * whole system prompt, so they still share the prompt cache.
 */
import type { AgentOptions } from "../../runtime/types.js";

/** `system` with the agent type's role appended, and the tools it has named when its type narrowed them. */
export function withRolePrompt(system: string, role: AgentOptions["rolePrompt"], narrowedTo: readonly string[] | null): string {
  if (role === undefined && narrowedTo === null) return system;
  const tools = narrowedTo === null ? "" : `\n\nYour tools are limited to: ${narrowedTo.join(", ")}. Tools mentioned above that are not in this list are not available to you.`;
  if (role === undefined) return `${system}${tools}`;
  return (
    `${system}\n\n# Your role: ${role.type}\n\n` +
    `The repository defines this role (${role.source === "built-in" ? "a built-in agent type" : role.source}). Follow it within the rules above; ` +
    `where it conflicts with them (tools, write scope, how to finish), the rules above win.${tools}\n\n${role.text.trim()}`
  );
}
