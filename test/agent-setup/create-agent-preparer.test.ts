import { describe, expect, it } from "vitest";
import { createAgentPreparer } from "../../src/agent-setup/create-agent-preparer.js";
import { ModelWithoutPriceError } from "../../src/agent-setup/errors.js";
import { createAgentTypeLoader, type AgentDefinitionSource } from "../../src/agent-setup/load-agent-types.js";
import { DEFAULT_MODEL_ALIASES } from "../../src/agents/model/model-aliases.js";
import { DEFAULT_MODELS, DEFAULT_PRICES } from "../../src/agents/model/models.js";
import type { AgentOptions, AgentSetup, PhaseDefaults } from "../../src/runtime/types.js";

const FILES: Record<string, string> = {
  ".claude/agents/reviewer.md": "---\nname: reviewer\ndescription: r\ntools: Read, Grep, Glob, TodoWrite\nmodel: haiku\neffort: low\nmaxTurns: 8\n---\nYou review.\n",
  ".claude/agents/tester.md": "---\nname: tester\ndescription: t\nmodel: inherit\ndisallowedTools: Write, Edit\n---\nYou test.\n",
  ".claude/agents/mcp-only.md": "---\nname: mcp-only\ndescription: m\ntools: mcp__github, Task\n---\n",
  ".claude/agents/pricey.md": "---\nname: pricey\ndescription: p\nmodel: acme-large\n---\n",
};
const source: AgentDefinitionSource = { where: "memory", read: async (path) => FILES[path] ?? null, listMarkdown: async () => Object.keys(FILES) };

const prepare = createAgentPreparer({
  models: DEFAULT_MODELS,
  aliases: { ...DEFAULT_MODEL_ALIASES, fast: "claude-haiku-4-5" },
  prices: DEFAULT_PRICES,
  agentTypes: createAgentTypeLoader(source),
});

async function setUp(options: AgentOptions, phase: PhaseDefaults | null = null): Promise<AgentSetup> {
  return prepare({ prompt: "p", options, phase });
}

async function options(opts: AgentOptions, phase: PhaseDefaults | null = null): Promise<AgentOptions> {
  const setup = await setUp(opts, phase);
  if (!setup.ok) throw new Error(`expected a setup, got ${JSON.stringify(setup)}`);
  return setup.options;
}

describe("agent setup: models", () => {
  it("maps Claude Code's shortcuts to model ids, inherit to the role's own model", async () => {
    expect((await options({ model: "haiku" })).model).toBe("claude-haiku-5-5");
    expect((await options({ model: "sonnet" })).model).toBe("claude-sonnet-5-5");
    expect((await options({ model: "opus" })).model).toBe("claude-opus-5-5");
    expect((await options({ model: "Opus[1m]" })).model).toBe("claude-opus-5-5");
    expect((await options({ model: "fast" })).model).toBe("claude-haiku-4-5");
    expect(await options({ model: "inherit", role: "refuter" })).toEqual({ role: "refuter" });
    expect((await options({ model: "claude-opus-4-8" })).model).toBe("claude-opus-4-8");
  });

  it("takes the call's model first, then its agent type's, then its phase's", async () => {
    const phase = { title: "Scan", model: "sonnet", effort: "medium" };
    expect((await options({ model: "opus", agentType: "reviewer" }, phase)).model).toBe("claude-opus-5-5");
    expect((await options({ agentType: "reviewer" }, phase)).model).toBe("claude-haiku-5-5");
    expect((await options({}, phase)).model).toBe("claude-sonnet-5-5");
    // inherit, from the type or the call, is the role's own model, whatever the phase says.
    expect((await options({ agentType: "tester" }, phase)).model).toBeUndefined();
    expect((await options({ model: "inherit" }, phase)).model).toBeUndefined();
  });

  it("stops the run for a model without a price, naming the model, who asked and how to add a price", async () => {
    for (const [opts, phase, by] of [
      [{ model: "gpt-5" }, null, `agent()'s model option "gpt-5"`],
      [{ agentType: "pricey" }, null, 'agent type "pricey" (.claude/agents/pricey.md)'],
      [{}, { title: "Deep", model: "acme-x" }, 'phase "Deep" in meta.phases'],
    ] as const) {
      const setup = await setUp(opts as AgentOptions, phase);
      expect(setup.ok).toBe(false);
      const fatal = "fatal" in setup ? setup.fatal : null;
      expect(fatal).toBeInstanceOf(ModelWithoutPriceError);
      expect(fatal?.message).toContain(by);
      expect(fatal?.message).toContain("has no price");
      expect(fatal?.message).toContain("`prices:` in .github/dynflow.yml");
    }
  });
});

describe("agent setup: effort, tools, role", () => {
  it("keeps a valid effort, warns about one a model cannot take, and ignores a made-up one", async () => {
    expect(await setUp({ effort: "high", model: "opus" })).toEqual({ ok: true, options: { effort: "high", model: "claude-opus-5-5" }, warnings: [] });
    const lowered = await setUp({ effort: "xhigh", model: "claude-sonnet-4-6" });
    expect(lowered).toMatchObject({ ok: true, options: { effort: "xhigh" }, warnings: ['effort "xhigh" is lowered to "high" on claude-sonnet-4-6, the highest level it takes'] });
    const madeUp = await setUp({ effort: "ultra" });
    expect(madeUp).toMatchObject({ ok: true, warnings: [expect.stringContaining('effort "ultra", which is ignored')] });
    expect((madeUp as { options: AgentOptions }).options.effort).toBeUndefined();
    expect((await options({ agentType: "reviewer" })).effort).toBe("low");
  });

  it("turns the type's tools into dynflow's, keeps finish, and warns about tools dynflow has not", async () => {
    const setup = await setUp({ agentType: "reviewer" });
    expect(setup).toMatchObject({
      ok: true,
      options: {
        agentType: "reviewer",
        tools: ["read_file", "read_base_file", "search", "search_base", "list_files", "finish"],
        maxTurns: 8,
        rolePrompt: { type: "reviewer", source: ".claude/agents/reviewer.md", text: "You review." },
      },
      warnings: [expect.stringContaining("TodoWrite ignored")],
    });
    expect(await options({ agentType: "tester" })).toMatchObject({ withoutTools: ["write_file", "delete_file", "edit_file"] });
    expect((await options({ agentType: "tester" })).tools).toBeUndefined();
    expect((await options({ agentType: "reviewer", maxTurns: 30 })).maxTurns).toBe(30);
  });

  it("fails the agent for an unknown type or a type whose tools are all unknown", async () => {
    expect(await setUp({ agentType: "nope" })).toMatchObject({ ok: false, error: expect.stringContaining("looked for .claude/agents/nope.md") });
    expect(await setUp({ agentType: "mcp-only" })).toMatchObject({ ok: false, error: expect.stringContaining("lists tools mcp__github, Task, none of which dynflow has") });
  });
});
