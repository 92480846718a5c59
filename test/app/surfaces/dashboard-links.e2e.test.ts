/**
 * A run on GitHub with the dashboard on: the status comment, the check run's
 * "Details" and the pull request's report link to the run's page, and the
 * agents' transcripts and the report are recorded for it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { dashboardRunUrl } from "../../../src/dashboard/dashboard-mode.js";
import { DOC_AGENT } from "../../../src/transcripts/types.js";
import { createTranscriptRecorder } from "../../../src/transcripts/create-transcript-recorder.js";
import { useNock } from "../../github/octokit.js";
import { startHarness, type AppHarness } from "../app-harness.js";

const E2E = { timeout: 90_000 };
const PUBLIC_URL = "https://dynflow.example.com";

describe("links to the dashboard (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("links the run's page from the status comment, the check run and the pull request, and records every agent's transcript", E2E, async () => {
    const recorder = createTranscriptRecorder({ sink: { append: (entries, options) => app!.services.store.transcripts.append(entries, options) }, flushMs: 10 });
    app = await startHarness({ services: { dashboardUrl: (runId) => dashboardRunUrl(PUBLIC_URL, runId), transcripts: recorder } });
    await app.receive("issue_comment.created.run", "delivery-1");
    await app.idle();
    await recorder.flush();
    const page = `${PUBLIC_URL}/dashboard/runs/r-1`;

    // The check run is created with its "Details" pointing at the run's page.
    const created = app.github.callsTo("POST", /\/check-runs$/);
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({ details_url: page, external_id: "r-1" });
    expect(app.github.statusComment("r-1")?.body).toContain(`[Dashboard](${page})`);
    expect(app.github.pulls[0]?.body).toContain(page);

    // Every agent of the run has a transcript ending the way the run recorded it.
    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("ok");
    const ends = await app.services.store.transcripts.listKinds("r-1", ["end"]);
    expect(new Set(ends.map((e) => e.agentId)).size).toBe((await app.services.store.journalEntries("r-1")).length);
    expect(ends.every((e) => (e.body as { status: string }).status === "finished")).toBe(true);
    const verdicts = await app.services.store.transcripts.listKinds("r-1", ["verdict"]);
    expect(verdicts.map((v) => (v.body as { verdict: string }).verdict).sort()).toEqual(["refuted", "refuted", "upheld", "upheld", "upheld", "upheld"]);
    const report = (await app.services.store.transcripts.listAgent("r-1", DOC_AGENT)).find((d) => (d.body as { name: string }).name === "report");
    expect((report?.body as { text: string }).text).toBe(app.github.pulls[0]?.body);
    await recorder.close();
  });
});
