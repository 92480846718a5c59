/**
 * From a `/dynflow` comment to one consolidated pull request, end to end:
 * Probot receives the webhook, the run is planned, estimated, executed with
 * real agents (fake model, real SDK) over a real clone of a bare "remote",
 * pushed there in one push, and reported in a pull request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { REFUTATION } from "../cli/migration-model.js";
import { useNock } from "../github/octokit.js";
import { formatUsd } from "../../src/report/format-values.js";
import { SAVED_WORKFLOW, startHarness, type AppHarness } from "./app-harness.js";

const E2E = { timeout: 90_000 };

describe("a run from a comment (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("plans the task, runs two modules (one refuted, then fixed), pushes every branch and opens the pull request with the report", E2E, async () => {
    app = await startHarness();
    await app.receive("issue_comment.created.run", "delivery-1");
    await app.idle();
    const { github, services } = app;

    // The run, as recorded.
    const run = await services.store.runs.get("r-1");
    expect(run).toMatchObject({ status: "ok", kind: "task", requester: "octocat", issueNumber: 42, commandCommentId: 9001, baseRef: "main", prNumber: 100 });
    expect(run?.task).toBe("migrate all callers of fetchJson to ApiClient");
    expect(run?.baseSha).toBe(await app.git("rev-parse", "main"));

    // The planner model wrote the script; the estimate came before any agent ran.
    expect(run?.plan).toMatchObject({ source: "model-written", estimate: { agents: 6, status: "ok" }, approval: { required: false } });

    // Every branch with a change reached the remote in one push: the result and three worker rounds.
    const pushes = await app.pushes();
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toHaveLength(4);
    const branches = (await app.git("for-each-ref", "--format=%(refname:short)", "refs/heads/dynflow/")).split("\n").sort();
    expect(branches).toHaveLength(4);
    expect(branches).toContain("dynflow/r-1");
    expect(branches.filter((branch) => branch.startsWith("dynflow/r-1-work/"))).toHaveLength(3);
    expect(await app.git("show", "dynflow/r-1:src/billing/index.ts")).toContain('client.get("/billing/invoices")');
    expect(await app.git("show", "dynflow/r-1:src/search/index.ts")).toContain("encodeURIComponent(q)");
    // Commits are the app's bot's.
    expect(await app.git("log", "-1", "--format=%an <%ae>", "dynflow/r-1")).toBe("dynflow-app[bot] <4242+dynflow-app[bot]@users.noreply.github.com>");

    // One pull request into main, ready for review, whose body is the report.
    expect(github.pulls).toHaveLength(1);
    const [pull] = github.pulls;
    expect(pull).toMatchObject({ base: "main", head: "dynflow/r-1", draft: false, title: "dynflow: migrate all callers of fetchJson to ApiClient" });
    expect(pull!.body.length).toBeLessThanOrEqual(65_536);
    expect(pull!.body).toContain("| src/search | accepted | 2 | refuted → upheld |");
    expect(pull!.body).toContain("### Earlier refutations (1)");
    expect(pull!.body).toContain("without encodeURIComponent");
    expect(pull!.body).toContain("Requested by @octocat");
    expect(pull!.body).toContain("https://github.com/acme/widgets/issues/42#issuecomment-9001");
    expect(pull!.body).toContain(REFUTATION.slice(0, 40));

    // One status comment, edited in place to the end; the check run completed with the report.
    expect(github.appComments()).toHaveLength(1);
    const status = github.statusComment("r-1");
    expect(status?.body).toContain("dynflow run `r-1` finished");
    expect(status?.body).toContain("Opened pull request #100.");
    expect(status?.body).toContain("[Pull request](https://github.com/acme/widgets/pull/100)");
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]).toMatchObject({ external_id: "r-1", head_sha: run?.baseSha, status: "completed", conclusion: "success" });
    expect(github.checkRuns[0]?.output?.text).toContain("### Earlier refutations (1)");

    // One total everywhere, the planner's spend included: the report, the status comment, the check run, the record.
    const planned = (run?.plan as { costUsd?: number } | null)?.costUsd ?? 0;
    expect(planned).toBeGreaterThan(0);
    const total = pull!.body.match(/tokens for (<?\$[0-9.,]+)/)?.[1];
    expect(total).toBeDefined();
    expect(status?.body).toContain(`**Cost** ${total}`);
    expect(github.checkRuns[0]?.output?.title).toContain(`· ${total}`);
    expect(github.checkRuns[0]?.output?.summary).toContain(`**Cost** ${total}`);
    const recorded = (await services.store.runs.get("r-1"))?.result as { costUsd?: number } | null;
    expect(formatUsd(recorded?.costUsd ?? -1)).toBe(total);

    // 👀 when received, 🚀 when done.
    expect(github.reactions).toEqual([
      { commentId: 9001, content: "eyes" },
      { commentId: 9001, content: "rocket" },
    ]);
    // The planner saw the task; the journal holds every agent.
    expect(app.api.requests.some((request) => JSON.stringify(request.body.system ?? "").includes("You are dynflow's planner"))).toBe(true);
    expect(await services.store.journalEntries("r-1")).toHaveLength(9);
  });

  it("runs a saved workflow by name with its args, without asking the planner", E2E, async () => {
    app = await startHarness();
    await app.receive("issue_comment.created.run-saved-workflow", "delivery-2");
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run).toMatchObject({ status: "ok", kind: "workflow", workflow: "migrate-fetch", task: null, args: { modules: ["src/billing"] }, script: SAVED_WORKFLOW });
    expect(run?.plan).toMatchObject({ source: "saved-workflow", filename: ".claude/workflows/migrate-fetch.js", estimate: { agents: 3 } });
    // The script came from the base commit, read through the contents API at that commit.
    expect(app.github.callsTo("GET", new RegExp(`/contents/\\.claude%2Fworkflows%2Fmigrate-fetch\\.js\\?ref=${run?.baseSha}$`))).toHaveLength(1);
    expect(app.api.requests.some((request) => JSON.stringify(request.body.system ?? "").includes("You are dynflow's planner"))).toBe(false);

    // Only the module the args named was migrated.
    expect(await app.git("show", "dynflow/r-1:src/billing/index.ts")).toContain("client.get");
    expect(await app.git("show", "dynflow/r-1:src/search/index.ts")).toContain("fetchJson");
    const [pull] = app.github.pulls;
    expect(pull).toMatchObject({ head: "dynflow/r-1", draft: false, title: "dynflow: migrate-fetch" });
    expect(pull!.body).toContain("| src/billing | accepted | 1 | upheld |");
    expect(pull!.body).toContain("of workflow `migrate-fetch`");
  });

  it("keeps the pull request body within GitHub's 65,536 characters when the report would be longer", E2E, async () => {
    const history = Array.from({ length: 1_200 }, (_, i) => `// ${String(i).padStart(4, "0")} ${"why this workflow exists, kept for the record. ".repeat(2)}`).join("\n");
    app = await startHarness({ files: { ".claude/workflows/migrate-fetch.js": `${SAVED_WORKFLOW}\n${history}\n` } });
    await app.receive("issue_comment.created.run-saved-workflow", "delivery-3");
    await app.idle();

    const run = await app.services.store.runs.get("r-1");
    expect(run?.status).toBe("ok");
    expect(run!.script!.length).toBeGreaterThan(65_536);
    const [pull] = app.github.pulls;
    expect(pull!.body.length).toBeLessThanOrEqual(65_536);
    expect(pull!.body).toContain("| src/billing | accepted | 1 | upheld |");
    expect(pull!.body).toContain("left out to keep this report within GitHub's size limit");
    // The whole report, script included, is in the check run; the body points there.
    const checkRun = app.github.checkRuns[0]!;
    expect(pull!.body).toContain(checkRun.html_url);
    expect(app.github.statusComment("r-1")!.body.length).toBeLessThanOrEqual(65_536);
  });
});
