import { describe, expect, it } from "vitest";
import { checkScriptModels } from "../../src/agent-setup/check-script-models.js";
import { createRunAgentSetup } from "../../src/agent-setup/create-run-agent-setup.js";
import { ModelWithoutPriceError } from "../../src/agent-setup/errors.js";

const prepare = createRunAgentSetup({
  agentDefinitions: { where: "memory", read: async (p) => (p === ".claude/agents/big.md" ? "---\nname: big\ndescription: d\nmodel: acme-huge\n---\n" : null), listMarkdown: async () => [] },
});
const meta = `export const meta = { name: "m", description: "d", phases: [{ title: "Scan", model: "haiku" }] }\n`;

describe("checkScriptModels", () => {
  it("passes scripts whose literal models and agent types are priced", async () => {
    expect(await checkScriptModels(`${meta}await agent("a", { model: "haiku" }); await converge("b", { model: "claude-opus-4-8", effort: "high" });`, prepare)).toBeNull();
  });

  it("finds an unpriced model in agent() options, an agent type's definition, or meta.phases", async () => {
    const inCall = await checkScriptModels(`${meta}const x = 1;\nawait parallel([() => agent("a", { label: "x", model: \`gpt-5\` })])`, prepare);
    expect(inCall).toBeInstanceOf(ModelWithoutPriceError);
    expect(inCall?.message).toContain('"gpt-5"');
    expect((await checkScriptModels(`${meta}await worker("a", { agentType: "big" })`, prepare))?.message).toContain('agent type "big"');
    const phase = await checkScriptModels(`export const meta = { name: "m", description: "d", phases: [{ title: "Deep", model: "acme-deep" }] }\n`, prepare);
    expect(phase?.message).toContain('phase "Deep" in meta.phases');
  });

  it("ignores models in data the script does not give to an agent, computed ones, and scripts that do not parse", async () => {
    expect(await checkScriptModels(`${meta}const rivals = [{ name: "x", model: "gpt-4" }]; await agent("compare " + rivals[0].model, { model: pick() })`, prepare)).toBeNull();
    expect(await checkScriptModels("export const meta = {", prepare)).toBeNull();
  });

  it("answers for the preparer it is given each time, also for a script it has read before", async () => {
    const source = `${meta}await agent("a", { model: "acme-new" })`;
    const unpriced = await checkScriptModels(source, prepare);
    expect(unpriced?.message).toContain('"acme-new"');
    const seen: unknown[] = [];
    const pricesEverything: typeof prepare = async (request) => {
      seen.push(request.options);
      return prepare({ ...request, options: { ...request.options, model: "haiku" } });
    };
    expect(await checkScriptModels(source, pricesEverything)).toBeNull();
    expect(seen).toEqual([{ model: "acme-new" }, {}]);
    expect(await checkScriptModels(source, prepare)).toBeInstanceOf(ModelWithoutPriceError);
  });
});
