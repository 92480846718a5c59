import { describe, expect, it } from "vitest";
import { InvalidAgentDefinitionError } from "../../src/agent-setup/errors.js";
import { definitionNameOf, parseAgentDefinition } from "../../src/agent-setup/parse-agent-definition.js";

const PATH = ".claude/agents/reviewer.md";

describe("parseAgentDefinition", () => {
  it("reads Claude Code's front matter and takes the body as the role prompt", () => {
    const text = `---
name: reviewer
description: Reviews code for security holes
tools: Read, Grep, Glob, Bash(git diff *)
disallowedTools:
  - Write
model: sonnet
effort: high
maxTurns: 12
color: red
---

You are a security reviewer.

Cite path:line for every finding.
`;
    expect(parseAgentDefinition(text, PATH)).toEqual({
      name: "reviewer",
      description: "Reviews code for security holes",
      tools: ["Read", "Grep", "Glob", "Bash(git diff *)"],
      disallowedTools: ["Write"],
      model: "sonnet",
      effort: "high",
      maxTurns: 12,
      prompt: "You are a security reviewer.\n\nCite path:line for every finding.",
      source: PATH,
    });
  });

  it("reads CRLF files, a byte order mark and an empty body", () => {
    expect(parseAgentDefinition("\ufeff---\r\nname: x\r\ndescription: d\r\n---\r\n", PATH)).toMatchObject({ name: "x", prompt: "" });
  });

  it("refuses what Claude Code would skip or cannot read, naming the file and the problem", () => {
    const cases: [string, string][] = [
      ["no front matter at all", "has no front matter"],
      ["---\nname: x\ndescription: d\n", "has no front matter"],
      ["---\nname: [unclosed\n---\n", "not valid YAML"],
      ["---\ndescription: d\n---\n", "has no name"],
      ["---\nname: x\n---\n", "has no description"],
      ["---\nname: plugin:x\ndescription: d\n---\n", "may not start with - or contain :"],
      ["---\nname: x\ndescription: d\ntools: 3\n---\n", "tools must be a comma-separated list"],
      ["---\nname: x\ndescription: d\nmaxTurns: 0\n---\n", "maxTurns must be a whole number"],
      ["---\n- a\n- b\n---\n", "must be YAML fields"],
    ];
    for (const [text, problem] of cases) {
      expect(() => parseAgentDefinition(text, PATH), text).toThrow(InvalidAgentDefinitionError);
      expect(() => parseAgentDefinition(text, PATH), text).toThrow(`agent definition ${PATH} cannot be used: `);
      expect(() => parseAgentDefinition(text, PATH), text).toThrow(problem);
    }
  });

  it("finds a file's name without throwing, for scans of a folder", () => {
    expect(definitionNameOf("---\nname: scout\ndescription: d\n---\nbody")).toBe("scout");
    expect(definitionNameOf("# just notes")).toBeNull();
    expect(definitionNameOf("---\nname: [bad\n---\n")).toBeNull();
  });
});
