import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/commands/parse-command.js";
import { VERBS, renderUsage } from "../../src/commands/usage.js";

const slug = { appSlug: "dynflow-app" };

describe("parseCommand: who the comment is for", () => {
  it("ignores comments without a trigger", () => {
    expect(parseCommand("Looks good to me")).toEqual({ kind: "none" });
    expect(parseCommand("")).toEqual({ kind: "none" });
  });

  it("needs the trigger at the start of a line, as a whole word", () => {
    expect(parseCommand("please /dynflow run x")).toEqual({ kind: "none" });
    expect(parseCommand("/dynflowing run x")).toEqual({ kind: "none" });
    expect(parseCommand("/dynflow-other run x")).toEqual({ kind: "none" });
  });

  it("accepts up to three spaces of indentation and any case of trigger and verb", () => {
    expect(parseCommand("   /DynFlow HELP")).toEqual({ kind: "command", verb: "help" });
    expect(parseCommand("  /dynflow Status r-12ab")).toEqual({ kind: "command", verb: "status", runId: "r-12ab" });
  });

  it("uses the first command line of the comment", () => {
    const body = "Thanks!\n\n/dynflow cancel r-1\n/dynflow approve r-2\n";
    expect(parseCommand(body)).toEqual({ kind: "command", verb: "cancel", runId: "r-1" });
  });

  it("answers to @<app-slug> like /dynflow, only when the slug is given", () => {
    expect(parseCommand("@dynflow-app approve r-9", slug)).toEqual({ kind: "command", verb: "approve", runId: "r-9" });
    expect(parseCommand("@Dynflow-App help", slug)).toEqual({ kind: "command", verb: "help" });
    expect(parseCommand("@dynflow-app approve r-9")).toEqual({ kind: "none" });
    expect(parseCommand("@dynflow-apps help", slug)).toEqual({ kind: "none" });
    expect(parseCommand("@someone-else help", slug)).toEqual({ kind: "none" });
  });

  it("skips lines inside fenced code blocks, backticks or tildes", () => {
    const body = ["Try this:", "```", "/dynflow run delete everything", "```", "/dynflow status"].join("\n");
    expect(parseCommand(body)).toEqual({ kind: "command", verb: "status" });
    const tildes = ["~~~~md", "/dynflow cancel", "~~~", "/dynflow help", "~~~~", "/dynflow resume"].join("\n");
    expect(parseCommand(tildes)).toEqual({ kind: "command", verb: "resume" });
  });

  it("skips indented code blocks (four spaces or a tab), <pre> and other HTML blocks, as GitHub shows them as code", () => {
    expect(parseCommand("Example:\n\n    /dynflow run delete everything\n\n/dynflow status")).toEqual({ kind: "command", verb: "status" });
    expect(parseCommand("\t/dynflow cancel r-1")).toEqual({ kind: "none" });
    expect(parseCommand("<pre>\n/dynflow cancel r-1\n</pre>\n\n/dynflow help")).toEqual({ kind: "command", verb: "help" });
    expect(parseCommand("<details>\n<summary>old</summary>\n/dynflow cancel r-1\n</details>")).toEqual({ kind: "none" });
  });

  it("skips list items and headings: prose, not commands", () => {
    expect(parseCommand("- /dynflow cancel r-1\n# /dynflow help\n")).toEqual({ kind: "none" });
  });

  it("keeps the lines after the command line as the task's details", () => {
    expect(parseCommand("/dynflow run migrate the callers\nkeep the old name as an alias\n\nand update the docs")).toMatchObject({
      verb: "run",
      text: "migrate the callers",
      details: "keep the old name as an alias\n\nand update the docs",
    });
  });

  it("treats an unclosed code block as running to the end", () => {
    expect(parseCommand("```\n/dynflow help\n")).toEqual({ kind: "none" });
  });

  it("skips quoted lines, so replying to a command does not repeat it", () => {
    expect(parseCommand("> /dynflow run x\n\nSure")).toEqual({ kind: "none" });
    expect(parseCommand("  > > /dynflow cancel\n\n/dynflow status r-5")).toEqual({ kind: "command", verb: "status", runId: "r-5" });
    // A line right after a quote continues it (lazily), as GitHub renders it: still quoted.
    expect(parseCommand("> /dynflow cancel\n/dynflow status r-5")).toEqual({ kind: "none" });
  });

  it("skips HTML comments, closed or not", () => {
    expect(parseCommand("<!-- /dynflow cancel -->\n/dynflow help")).toEqual({ kind: "command", verb: "help" });
    expect(parseCommand("<!--\n/dynflow cancel\n-->\n/dynflow status")).toEqual({ kind: "command", verb: "status" });
    expect(parseCommand("<!-- template\n/dynflow cancel")).toEqual({ kind: "none" });
  });

  it("handles CRLF line endings", () => {
    expect(parseCommand("hi\r\n/dynflow approve r-3\r\n")).toEqual({ kind: "command", verb: "approve", runId: "r-3" });
  });
});

describe("parseCommand: run and plan", () => {
  it("reads a task whose first word could be a workflow name as both readings", () => {
    expect(parseCommand("/dynflow run migrate all callers of fetchJson")).toEqual({
      kind: "command",
      verb: "run",
      text: "migrate all callers of fetchJson",
      workflowName: "migrate",
      rawArgs: "all callers of fetchJson",
    });
  });

  it("reads a saved workflow with JSON args, keeping the raw text", () => {
    expect(parseCommand('/dynflow run audit-routes {"dir": "src/api"}')).toEqual({
      kind: "command",
      verb: "run",
      text: 'audit-routes {"dir": "src/api"}',
      workflowName: "audit-routes",
      rawArgs: '{"dir": "src/api"}',
    });
  });

  it("gives empty rawArgs for a bare name", () => {
    expect(parseCommand("/dynflow run security_audit")).toMatchObject({ workflowName: "security_audit", rawArgs: "" });
  });

  it("has no workflow reading when the first word cannot be a name", () => {
    for (const text of ["Migrate the callers", "fix: the build", "src/api needs love", "-x"]) {
      const result = parseCommand(`/dynflow run ${text}`);
      expect(result).toEqual({ kind: "command", verb: "run", text });
    }
  });

  it("keeps the task's case and inner spacing, trims the ends", () => {
    expect(parseCommand("/dynflow RUN   Rename `Foo`  to Bar   ")).toEqual({ kind: "command", verb: "run", text: "Rename `Foo`  to Bar" });
  });

  it("returns the lines after the command as details", () => {
    const body = "/dynflow plan upgrade to zod 4\n\nKeep the public types.\nDo not touch tests/.\n";
    expect(parseCommand(body)).toEqual({
      kind: "command",
      verb: "plan",
      text: "upgrade to zod 4",
      details: "Keep the public types.\nDo not touch tests/.",
    });
  });

  it("rejects run and plan without a task", () => {
    for (const verb of ["run", "plan"] as const) {
      const result = parseCommand(`/dynflow ${verb}   `);
      expect(result).toMatchObject({ kind: "invalid", verb });
      if (result.kind === "invalid") expect(result.message).toContain(`/dynflow ${verb} <`);
    }
  });
});

describe("parseCommand: run ids", () => {
  it.each(["approve", "cancel", "status", "resume"] as const)("%s works with and without a run id", (verb) => {
    expect(parseCommand(`/dynflow ${verb}`)).toEqual({ kind: "command", verb });
    expect(parseCommand(`/dynflow ${verb} r-0a9Z`)).toEqual({ kind: "command", verb, runId: "r-0a9Z" });
  });

  it.each(["12", "r-", "run-1", "r-1;rm", "r_1", "R1"])("rejects the malformed run id %j", (id) => {
    const result = parseCommand(`/dynflow cancel ${id}`);
    expect(result).toMatchObject({ kind: "invalid", verb: "cancel" });
    if (result.kind === "invalid") expect(result.message).toContain("is not a run id");
  });

  it("rejects more than one run id", () => {
    expect(parseCommand("/dynflow approve r-1 r-2")).toMatchObject({ kind: "invalid", verb: "approve" });
  });
});

describe("parseCommand: audit, help and mistakes", () => {
  it("reads an audit name", () => {
    expect(parseCommand("/dynflow audit weekly-deps")).toEqual({ kind: "command", verb: "audit", name: "weekly-deps" });
  });

  it.each(["/dynflow audit", "/dynflow audit Weekly", "/dynflow audit a b", "/dynflow audit ../x"])("rejects %j", (body) => {
    expect(parseCommand(body)).toMatchObject({ kind: "invalid", verb: "audit" });
  });

  it("ignores words after help", () => {
    expect(parseCommand("/dynflow help run")).toEqual({ kind: "command", verb: "help" });
  });

  it("reports an unknown verb with the usage text, escaping the word", () => {
    const result = parseCommand("/dynflow deploy prod", slug);
    expect(result).toEqual({
      kind: "invalid",
      message: "`deploy` is not a dynflow command.",
      usage: renderUsage(slug),
    });
  });

  it("reports a bare trigger", () => {
    const result = parseCommand("@dynflow-app", slug);
    expect(result.kind).toBe("invalid");
    if (result.kind === "invalid") {
      expect(result.verb).toBeUndefined();
      expect(result.usage).toContain("/dynflow run <task>");
    }
  });

  it("keeps a hostile verb inside a code span", () => {
    const result = parseCommand("/dynflow `@everyone`");
    expect(result.kind).toBe("invalid");
    if (result.kind === "invalid") expect(result.message.startsWith("`` `@everyone` ``")).toBe(true);
  });
});

describe("renderUsage", () => {
  it("lists every verb", () => {
    const usage = renderUsage();
    for (const verb of VERBS) expect(usage).toContain(`/dynflow ${verb}`);
    expect(usage).not.toContain("@");
  });

  it("mentions the @slug spelling when the slug is known", () => {
    expect(renderUsage(slug)).toContain("`@dynflow-app <command>`");
  });
});
