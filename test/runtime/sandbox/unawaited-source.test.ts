/**
 * A promise in a script's result is an agent() call nobody awaited: the run
 * fails with an error that says so and names the line of the call, instead of
 * returning `{}` for it.
 */
import { describe, expect, it } from "vitest";
import { runGuest } from "./builtins/run-guest.js";

describe("unawaited promises in the result", () => {
  it("fails naming the path, the call and its line when an agent() promise is returned", async () => {
    const outcome = await runGuest(`const first = agent("one")
const second = await agent("two")
return { first, second }`);
    expect(outcome.status).toBe("error");
    expect(outcome.result).toBeUndefined();
    expect(outcome.error).toMatchObject({ code: "unawaited_promise", line: 2 });
    expect(outcome.error?.message).toContain("result.first as the promise of an agent() call");
    expect(outcome.error?.message).toContain("await agent(...)");
  });

  it("finds promises deep in arrays, from parallel() and from other functions, and passes awaited ones", async () => {
    const inList = await runGuest(`const rows = [1, 2].map((i) => ({ i, answer: agent("item " + i) }))\nreturn rows`);
    expect(inList.error).toMatchObject({ code: "unawaited_promise", line: 2 });
    expect(inList.error?.message).toContain("result[0].answer");

    const fromParallel = await runGuest(`\nconst all = parallel([() => agent("a")])\nreturn { all }`);
    expect(fromParallel.error).toMatchObject({ code: "unawaited_promise", line: 3 });
    expect(fromParallel.error?.message).toContain("a parallel() call");

    const plain = await runGuest(`const later = (async () => 1)()\nreturn [later]`);
    expect(plain.error?.code).toBe("unawaited_promise");
    expect(plain.error?.message).toContain("result[0] as a promise");

    const awaited = await runGuest(`const p = agent("x")\nreturn { answer: await p, list: await Promise.all([agent("y")]) }`);
    expect(awaited.status).toBe("ok");
    expect(awaited.result).toEqual({ answer: "ok", list: ["ok"] });
  });
});
