import { describe, expect, it } from "vitest";
import { warmUpScripts } from "../../src/runtime/warm-up.js";

describe("warmUpScripts", () => {
  it("runs its script to the end in a real sandbox, agents and all", async () => {
    expect(await warmUpScripts()).toBe(true);
  });
});
