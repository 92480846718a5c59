import nock from "nock";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { reactToComment } from "../../src/github/reactions.js";
import { API, GHE_API, testOctokit, useNock } from "./octokit.js";

useNock();

describe("reactToComment", () => {
  it.each([
    ["received", "eyes"],
    ["succeeded", "rocket"],
    ["failed", "confused"],
  ] as const)("reacts to %s with %s", async (moment, content) => {
    const scope = nock(API).post("/repos/acme/storefront/issues/comments/99/reactions", { content }).reply(201, { id: 1, content });
    const added = await reactToComment({ octokit: testOctokit(), owner: "acme", repo: "storefront", commentId: 99, moment });
    expect(added).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it("talks to the client's host (GitHub Enterprise Server)", async () => {
    const scope = nock(GHE_API).post("/repos/acme/storefront/issues/comments/99/reactions", { content: "eyes" }).reply(200, { id: 1 });
    await reactToComment({ octokit: testOctokit(GHE_API), owner: "acme", repo: "storefront", commentId: 99, moment: "received" });
    expect(scope.isDone()).toBe(true);
  });

  it("logs a refused reaction and goes on", async () => {
    const scope = nock(API)
      .post("/repos/acme/storefront/issues/comments/99/reactions")
      .reply(403, { message: "Resource not accessible by integration" });
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });

    const added = await reactToComment({ octokit: testOctokit(), owner: "acme", repo: "storefront", commentId: 99, moment: "failed", log });

    expect(added).toBe(false);
    expect(scope.isDone()).toBe(true);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 40, commentId: 99, content: "confused", status: 403 });
  });
});
