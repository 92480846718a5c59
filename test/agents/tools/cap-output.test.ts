import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capOutput, formatFileRead } from "../../../src/agents/tools/cap-output.js";
import { agentRequest, reply, startHarness, type Harness } from "../agent-harness.js";

const LINES = Array.from({ length: 100 }, (_, i) => `line ${i + 1} of the file`).join("\n") + "\n";

describe("capOutput", () => {
  it("returns short text unchanged", () => {
    expect(capOutput("a\nb\n", 100, "hint")).toBe("a\nb\n");
  });

  it("cuts at a line boundary within the cap and says how to get the rest", () => {
    const out = capOutput(LINES, 500, "narrow the glob");
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out).toMatch(new RegExp(`\\n\\[truncated: showing \\d+ of ${LINES.length} characters \\(tool output is capped at 500\\); narrow the glob\\]$`));
    const shown = out.slice(0, out.indexOf("[truncated"));
    expect(LINES.startsWith(shown)).toBe(true);
    expect(shown.endsWith("\n")).toBe(true);
  });
});

describe("formatFileRead", () => {
  const read = (text: string, startLine = 1) => {
    const lines = text.split("\n").filter((_, i, all) => i < all.length - 1 || all[i] !== "");
    return { path: "a.txt", text, totalLines: lines.length + startLine - 1, startLine, endLine: lines.length + startLine - 1, binary: false };
  };

  it("numbers lines and stops on a whole line with the start_line to continue from", () => {
    const out = formatFileRead(read(LINES), 600);
    expect(out.length).toBeLessThanOrEqual(600);
    const last = Number(/showed lines 1-(\d+) of 100/.exec(out)?.[1]);
    expect(last).toBeGreaterThan(5);
    expect(out).toContain(`${String(last).padStart(6)}\tline ${last} of the file\n[truncated`);
    expect(out).toContain(`start_line=${last + 1}`);
  });

  it("cuts a single line longer than the cap, saying so", () => {
    const out = formatFileRead(read(`${"x".repeat(5000)}\n`), 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toContain("line 1 alone is");
  });

  it("describes binary and empty files instead of showing them", () => {
    expect(formatFileRead({ path: "b.bin", text: "", totalLines: 0, startLine: 1, endLine: 0, binary: true }, 100)).toContain("binary");
    expect(formatFileRead({ path: "e.txt", text: "", totalLines: 0, startLine: 1, endLine: 0, binary: false }, 100)).toContain("empty");
  });
});

describe("tool output truncation in the loop", () => {
  let h: Harness;
  beforeEach(async () => {
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`src/module-${i}.ts`, `export const m${i} = "needle";\n`]));
    h = await startHarness({ "src/long.txt": LINES, ...many });
  });
  afterEach(async () => {
    await h.close();
  });

  it("caps read, search and list results at maxToolOutputChars with a note the model can follow", async () => {
    h.script((c) => {
      if (c.turn === 1) return reply.toolUse("read_file", { path: "src/long.txt" });
      if (c.turn === 2) {
        const next = /start_line=(\d+)/.exec(c.results[0]!.content)![1];
        return reply.toolUse("read_file", { path: "src/long.txt", start_line: Number(next), end_line: Number(next) });
      }
      if (c.turn === 3) return reply.toolUse("search", { pattern: "needle" });
      if (c.turn === 4) return reply.toolUse("list_files", {});
      return reply.toolUse("finish", { summary: "s", result: "r" });
    });
    await h.runner({ limits: { maxToolOutputChars: 700 } }).run(agentRequest("Read"));
    const results = h.conversations().slice(1).map((c) => c.results[0]!.content);

    const next = Number(/start_line=(\d+)/.exec(results[0]!)![1]);
    expect(results[0]).toContain(`showed lines 1-${next - 1} of 100`);
    expect(results[1]).toContain(`${String(next).padStart(6)}\tline ${next} of the file`);
    expect(results[2]).toContain("[truncated:");
    expect(results[2]).toContain("narrow the pattern or add a glob");
    expect(results[3]).toContain("[truncated:");
    expect(results[3]).toContain("narrower glob");
    for (const result of results) expect(result.length).toBeLessThanOrEqual(700);
  });
});
