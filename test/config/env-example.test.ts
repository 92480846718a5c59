import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES } from "../../src/config/env-variables.js";
import { loadEnv } from "../../src/config/load-env.js";
import { keysAt } from "../../src/config/repo-config-schema.js";

const root = new URL("../../", import.meta.url);
const envExample = readFileSync(new URL(".env.example", root), "utf8");
const configDoc = readFileSync(new URL("docs/config.md", root), "utf8");

/** `NAME=value` lines of a dotenv file (what `--env-file` and `.env` loading assign). */
function assignments(text: string): Map<string, string> {
  return linesMatching(text, /^([A-Z][A-Z0-9_]*)=(.*)$/);
}

/** `# NAME=value` lines: documented, not assigned. */
function commentedOut(text: string): Map<string, string> {
  return linesMatching(text, /^# ([A-Z][A-Z0-9_]*)=(.*)$/);
}

function linesMatching(text: string, pattern: RegExp): Map<string, string> {
  const entries = text
    .split("\n")
    .map((line) => pattern.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1] ?? "", match[2] ?? ""] as const);
  return new Map(entries);
}

describe(".env.example", () => {
  const listed = assignments(envExample);
  const documented = commentedOut(envExample);

  it("assigns only what every deployment must set, and documents the rest commented out", () => {
    const mustSet = ENV_VARIABLES.filter((variable) => variable.mustSet).map((variable) => variable.name);
    expect([...listed.keys()].sort()).toEqual([...mustSet].sort());
    for (const value of listed.values()) expect(value).toBe("");
    const all = [...listed.keys(), ...documented.keys()];
    expect([...all].sort()).toEqual(ENV_VARIABLES.map((variable) => variable.name).sort());
    expect(new Set(all).size).toBe(all.length);
  });

  it("gives each variable a comment, and marks the secrets", () => {
    const lines = envExample.split("\n");
    for (const variable of ENV_VARIABLES) {
      const index = lines.findIndex((line) => line.startsWith(`${variable.name}=`) || line.startsWith(`# ${variable.name}=`));
      expect(lines[index - 1]?.startsWith("#"), `${variable.name} has a comment`).toBe(true);
      const block = lines.slice(Math.max(0, index - 3), index).join("\n");
      if (variable.secret) expect(block, `${variable.name} is marked secret`).toContain("[secret]");
    }
  });

  it("shows the defaults as the commented-out values, and loads as is", () => {
    for (const variable of ENV_VARIABLES.filter((entry) => entry.default !== undefined)) {
      expect(documented.get(variable.name), variable.name).toBe(variable.default);
    }
    expect(() => loadEnv(Object.fromEntries(listed))).not.toThrow();
  });
});

describe("docs/config.md", () => {
  it("documents every environment variable", () => {
    for (const variable of ENV_VARIABLES) expect(configDoc, variable.name).toContain(`\`${variable.name}\``);
  });
});

describe("docs/config.md, repository keys", () => {
  it("documents every key of .github/dynflow.yml", () => {
    const objects: PropertyKey[][] = [[], ["models"], ["caps"], ["budget"], ["approval"], ["modules", 0], ["audits", 0], ["audits", 0, "budget"], ["web"], ["sandbox"], ["sandbox", "limits"]];
    for (const path of objects) {
      for (const key of keysAt(path) ?? []) expect(configDoc, `${path.join(".")}.${key}`).toMatch(new RegExp(`\\b${key}\\b`));
    }
    for (const key of keysAt(["prices", "any-model"]) ?? []) expect(configDoc).toContain(`${key}:`);
  });
});
