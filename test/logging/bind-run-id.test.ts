import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { bindRunId } from "../../src/logging/bind-run-id.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

const occurrences = (line: string) => line.split('"runId"').length - 1;

describe("bindRunId", () => {
  it("binds runId once, whether or not the logger has it already", () => {
    const { log, lines } = capture();
    bindRunId(log, "r-1").info("a");
    bindRunId(log.child({ runId: "r-1" }), "r-1").info("b");
    bindRunId(bindRunId(log, "r-1"), "r-1").info("c");
    expect(lines.map(occurrences)).toEqual([1, 1, 1]);
  });
});
