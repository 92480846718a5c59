import { describe, expect, it } from "vitest";
import { warmUpCommands } from "../../../src/app/services/warm-up-commands.js";

describe("warmUpCommands", () => {
  it("reads a run command, checks a config and fetches through Node's HTTP client, without a network", async () => {
    expect(await warmUpCommands()).toBe(true);
  });
});
