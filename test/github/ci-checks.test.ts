import nock from "nock";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { listCommitStatuses, readFailingCheck } from "../../src/github/ci-checks.js";
import { API, testOctokit, useNock } from "./octokit.js";

useNock();

const SHA = "c".repeat(40);
const where = { owner: "acme", repo: "storefront", ref: SHA };
const path = `/repos/acme/storefront/commits/${SHA}/statuses`;
const status = (id: number, context: string, state: string, description: string | null = null) => ({ id, context, state, description, target_url: `https://ci.example/${id}` });

describe("listCommitStatuses", () => {
  it("reads the latest status of each context as a check of that name", async () => {
    // GitHub lists newest first, every status of every context.
    nock(API)
      .get(path)
      .query(true)
      .reply(200, [status(30, "ci/jenkins", "failure", "2 tests failed"), status(20, "ci/jenkins", "pending"), status(10, "deploy/preview", "pending")]);
    const checks = await listCommitStatuses(testOctokit(), where, pino({ level: "silent" }));
    expect(checks).toEqual([
      { kind: "status", id: 30, name: "ci/jenkins", status: "completed", conclusion: "failure", appSlug: null, detailsUrl: "https://ci.example/30", title: "2 tests failed" },
      { kind: "status", id: 10, name: "deploy/preview", status: "in_progress", conclusion: null, appSlug: null, detailsUrl: "https://ci.example/10", title: null },
    ]);
  });

  it("counts none when the installation has not granted statuses: read, and says so in the log", async () => {
    nock(API).get(path).query(true).reply(403, { message: "Resource not accessible by integration" });
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    expect(await listCommitStatuses(testOctokit(), where, log)).toEqual([]);
    expect(lines.join("")).toContain("statuses: read");
  });

  it("lets other failures through, so the step looks again later", async () => {
    nock(API).get(path).query(true).reply(500, { message: "boom" });
    await expect(listCommitStatuses(testOctokit(), where, pino({ level: "silent" }))).rejects.toMatchObject({ status: 500 });
  });
});

describe("readFailingCheck", () => {
  it("shows a failing status by its description, asking GitHub nothing more (no annotations, no log)", async () => {
    const check = { kind: "status" as const, id: 30, name: "ci/jenkins", status: "completed", conclusion: "error", appSlug: null, detailsUrl: null, title: "agent lost" };
    // A status id is not a check run id: reading annotations by it would show another check's.
    const annotations = nock(API)
      .get("/repos/acme/storefront/check-runs/30/annotations")
      .query(true)
      .reply(200, [{ path: "a.ts", start_line: 1, annotation_level: "failure", message: "someone else's" }]);
    expect(await readFailingCheck(testOctokit(), where, check, pino({ level: "silent" }))).toEqual({ name: "ci/jenkins", conclusion: "error", title: "agent lost", annotations: [], logTail: null });
    expect(annotations.isDone()).toBe(false);
  });
});
