/**
 * Stage timing: nothing is measured without a timer; with one, every piece
 * of work is reported with its stage and ended once, whether it resolves or
 * rejects, and a store opened while a timer is installed reports its queries.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { setStageTimer, stageTimerActive, startStage, timeStage, type Stage } from "../../src/timing/stage-timer.js";

function recorder() {
  const events: string[] = [];
  return {
    events,
    start(stage: Stage) {
      events.push(`start ${stage}`);
      return () => void events.push(`end ${stage}`);
    },
  };
}

afterEach(() => setStageTimer(null));

describe("stage timing", () => {
  it("runs the work untouched without a timer", async () => {
    expect(stageTimerActive()).toBe(false);
    await expect(timeStage("tool", async () => 42)).resolves.toBe(42);
    startStage("model")();
  });

  it("reports each piece of work with its stage, ended once whether it resolves or rejects", async () => {
    const timer = recorder();
    setStageTimer(timer);
    await timeStage("commit", async () => "ok");
    await expect(timeStage("merge", async () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    const end = startStage("push");
    end();
    expect(timer.events).toEqual(["start commit", "end commit", "start merge", "end merge", "start push", "end push"]);
  });

  it("times the queries of a store opened while a timer is installed", async () => {
    const timer = recorder();
    setStageTimer(timer);
    const store = await openStore({ sqlitePath: ":memory:" });
    try {
      timer.events.length = 0;
      expect(await store.runs.get("no-such-run")).toBeUndefined();
      expect(timer.events.filter((e) => e === "start store").length).toBeGreaterThan(0);
      expect(timer.events.filter((e) => e === "start store").length).toBe(timer.events.filter((e) => e === "end store").length);
    } finally {
      await store.close();
    }
  });
});
