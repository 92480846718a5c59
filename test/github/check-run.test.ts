import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkRunConclusion, createCheckRun } from "../../src/github/check-run.js";
import { CHECK_OUTPUT_LIMIT } from "../../src/progress/fit-text.js";
import { API, captureLog, GHE_API, trackedOctokit, useNock } from "./octokit.js";

useNock();

const T0 = 1_750_000_000_000;
const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const LIST = `/repos/acme/storefront/commits/${SHA}/check-runs`;
const LIST_QUERY = { check_name: "dynflow", filter: "all", per_page: "100" };
const iso = (ms: number) => new Date(ms).toISOString();

let settle: () => Promise<void>;
let logged: Record<string, unknown>[];

function checkRun(baseUrl = API) {
  const client = trackedOctokit(baseUrl);
  const capture = captureLog();
  settle = client.settle;
  logged = capture.entries;
  return createCheckRun({
    log: capture.log,
    octokit: client.octokit,
    owner: "acme",
    repo: "storefront",
    headSha: SHA,
    runId: "r-7f3a",
    detailsUrl: "https://github.com/acme/storefront/issues/7#issuecomment-501",
  });
}

async function advance(ms: number): Promise<void> {
  await settle();
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

const output = (n: number) => ({ title: `Running · ${n}/30 agents · $1.00`, summary: `summary ${n}` });

describe("checkRunConclusion", () => {
  it.each([
    ["ok", false, "success"],
    ["ok", true, "neutral"],
    ["error", false, "failure"],
    ["error", true, "failure"],
    ["capped", true, "neutral"],
    ["budget-exhausted", true, "neutral"],
    ["cancelled", true, "cancelled"],
  ] as const)("maps %s (draft %s) to %s", (status, draft, conclusion) => {
    expect(checkRunConclusion(status, draft)).toBe(conclusion);
  });
});

describe("createCheckRun", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("creates the check run on the base commit, throttles progress and completes it with the full report", async () => {
    const report = "## Convergence report\n\nall 30 workers upheld";
    const scope = nock(API)
      .get(LIST)
      .query(LIST_QUERY)
      .reply(200, { total_count: 0, check_runs: [] })
      .post("/repos/acme/storefront/check-runs", {
        name: "dynflow",
        head_sha: SHA,
        external_id: "r-7f3a",
        started_at: iso(T0),
        details_url: "https://github.com/acme/storefront/issues/7#issuecomment-501",
        status: "in_progress",
        output: { title: "Starting · no agents · $0.00", summary: "No agents started yet." },
      })
      .reply(201, { id: 88, html_url: "https://github.com/acme/storefront/runs/88" })
      .patch("/repos/acme/storefront/check-runs/88", { status: "in_progress", output: output(9) })
      .reply(200, { id: 88 })
      .patch("/repos/acme/storefront/check-runs/88", {
        status: "completed",
        conclusion: "success",
        completed_at: iso(T0 + 5_000 + 3_000),
        output: { title: "Finished · 30/30 agents · $4.00", summary: "done", text: report },
      })
      .reply(200, { id: 88 });

    const run = checkRun();
    const ref = await run.start({ title: "Starting · no agents · $0.00", summary: "No agents started yet." });
    expect(ref).toEqual({ id: 88, url: "https://github.com/acme/storefront/runs/88" });

    for (let n = 1; n <= 9; n++) {
      run.update(output(n));
      await advance(500);
    }
    await advance(500);
    await advance(3_000);
    await run.complete({ status: "ok", draft: false, output: { title: "Finished · 30/30 agents · $4.00", summary: "done" }, report });
    run.update(output(99));
    await advance(10_000);
    expect(scope.isDone()).toBe(true);
    // Every request matched: no write failed along the way.
    expect(logged.filter((entry) => entry.level === 40)).toEqual([]);
  });

  it("finds this run's check run by external id instead of creating a second one", async () => {
    const scope = nock(GHE_API)
      .get(LIST)
      .query(LIST_QUERY)
      .reply(200, {
        total_count: 2,
        check_runs: [
          { id: 70, external_id: "r-older", html_url: "https://ghe.acme.test/acme/storefront/runs/70" },
          { id: 71, external_id: "r-7f3a", html_url: "https://ghe.acme.test/acme/storefront/runs/71" },
        ],
      })
      .patch("/repos/acme/storefront/check-runs/71", { status: "in_progress" })
      .reply(200, { id: 71 });

    const ref = await checkRun(GHE_API).start();
    expect(ref).toEqual({ id: 71, url: "https://ghe.acme.test/acme/storefront/runs/71" });
    expect(scope.isDone()).toBe(true);
  });

  it("completes in one call when nothing was written before, neutral for a draft, with the report cut to the limit", async () => {
    const report = `# Report\n\n${"€".repeat(40_000)}`;
    let sent: { conclusion?: string; status?: string; output?: { text?: string } } = {};
    const scope = nock(API)
      .get(LIST)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post("/repos/acme/storefront/check-runs", (body) => {
        sent = body;
        return true;
      })
      .reply(201, { id: 90, html_url: "https://github.com/acme/storefront/runs/90" });

    const ref = await checkRun().complete({ status: "ok", draft: true, output: { title: "Finished", summary: "s" }, report });

    expect(ref.id).toBe(90);
    expect(scope.isDone()).toBe(true);
    expect(sent).toMatchObject({ status: "completed", conclusion: "neutral" });
    const text = sent.output?.text ?? "";
    expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(text.startsWith("# Report")).toBe(true);
    expect(text).toMatch(/cut to fit the Checks API's size limit/);
  });

  it("looks again after a failed create, in case it went through", async () => {
    const scope = nock(API)
      .get(LIST)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post("/repos/acme/storefront/check-runs")
      .reply(502, { message: "Bad Gateway" })
      .get(LIST)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ id: 91, external_id: "r-7f3a", html_url: "u91" }] })
      .patch("/repos/acme/storefront/check-runs/91", (body) => body.conclusion === "failure")
      .reply(200, { id: 91 });

    const run = checkRun();
    await expect(run.start()).rejects.toMatchObject({ status: 502 });
    const ref = await run.complete({ status: "error", draft: true, output: { title: "Failed", summary: "s" } });
    expect(ref.id).toBe(91);
    expect(scope.isDone()).toBe(true);
  });
});
