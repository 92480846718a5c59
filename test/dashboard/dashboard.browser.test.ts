import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { watchRunControls } from "../../src/controls/watch-run-controls.js";
import { createAccessChecker } from "../../src/dashboard/auth/github-access.js";
import { createDashboardHandler } from "../../src/dashboard/create-dashboard-handler.js";
import { AgentStops } from "../../src/runtime/agent-stops.js";
import { AgentFailedError } from "../../src/runtime/errors.js";
import { runScript } from "../../src/runtime/run-script.js";
import type { RunOutcome } from "../../src/runtime/types.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { createTranscriptRecorder } from "../../src/transcripts/create-transcript-recorder.js";
import { ControlledRunner, usage } from "../fakes/controlled-runner.js";
import { ARTIFACTS, describeWithChromium, launchChromium } from "./browser-harness.js";
import { startFakeOAuth, type FakeOAuth } from "./fake-github-oauth.js";

const CLIENT = { clientId: "Iv1.test-client", clientSecret: "test-client-secret-0123456789" };

describeWithChromium("dashboard in a browser", () => {
  let dir: string;
  let store: Store;
  let oauth: FakeOAuth;
  let server: Server;
  let base: string;
  let browser: Browser;
  let runner: ControlledRunner;
  let outcome: Promise<RunOutcome>;
  let watcher: { stop(): void };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dynflow-dashboard-"));
    store = await openStore({ sqlitePath: join(dir, "d.db") });
    oauth = await startFakeOAuth({ ...CLIENT, permissions: { octocat: { "acme/widgets": "write" }, reader: { "acme/widgets": "read" } } });
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const handler = createDashboardHandler({
      store,
      mode: { kind: "github", signIn: { ...CLIENT, publicUrl: base, apiUrl: oauth.apiUrl, access: createAccessChecker({ apiUrl: oauth.apiUrl }) } },
      eventPollMs: 100,
    });
    server.on("request", (req, res) => {
      void handler(req, res).then((done) => {
        if (!done) res.writeHead(404).end();
      });
    });
    await store.runs.create({ id: "r-live", installationId: 1, owner: "acme", repo: "widgets", kind: "task", status: "running", task: "Migrate fetchJson callers", script: "export const meta = {}" });
    await store.runs.create({ id: "r-other", installationId: 1, owner: "acme", repo: "secret", kind: "task", status: "ok", task: "Private work" });

    // A live run: a real script whose agents the test settles, its events stored as the app stores them.
    runner = new ControlledRunner();
    const run = runner.run.bind(runner);
    runner.run = (request) => {
      const running = run(request);
      request.signal.addEventListener("abort", () => runner.fail(request.prompt, new AgentFailedError("cancelled after 1 turn", usage(30, 3), 0.003)));
      return running;
    };
    const recorder = createTranscriptRecorder({ sink: store.transcripts, flushMs: 20 });
    const stops = new AgentStops();
    watcher = await watchRunControls({ runId: "r-live", controls: store.controls, stops, cancel: () => {}, intervalMs: 100, log: { info: () => {}, warn: () => {} } });
    let stored = Promise.resolve();
    outcome = runScript({
      runId: "r-live",
      baseRevision: "b",
      agentStops: stops,
      runner: {
        run: (request) => {
          const t = recorder.open({ runId: request.runId, agentId: request.agentId, label: request.label, role: "worker", attempt: 1 });
          t.prompt({ model: "claude-test", system: "You are a worker.", shared: "Task", prompt: request.prompt });
          t.tool({ turn: 1, name: "edit_file", input: { path: "src/api.ts", old_text: "fetchJson()", new_text: "http.get()" }, output: "Edited src/api.ts", isError: false, ms: 4 });
          return runner.run(request).then(
            (result) => (t.end({ status: "finished", output: result.output, usage: result.usage, costUsd: result.costUsd, diff: "--- a/src/api.ts\n+++ b/src/api.ts\n@@ -1 +1 @@\n-fetchJson()\n+http.get()" }), result),
            (error: unknown) => {
              t.end({ status: request.signal.aborted ? "stopped" : "failed", error: String(error), usage: usage(30, 3), costUsd: 0.003 });
              throw error;
            },
          );
        },
      },
      onEvent: (event) => {
        stored = stored.then(() => store.events.append("r-live", event).then(() => undefined));
      },
      source: `export const meta = { name: "m", description: "d", phases: [{ title: "Migrate" }] }\nphase("Migrate");\nconst a = await Promise.all([agent("migrate api", { label: "src/api" }), agent("migrate web", { label: "src/web" })]);\nreturn a;`,
    });
    await runner.untilStarted(2);
    browser = await launchChromium();
  });

  afterAll(async () => {
    watcher?.stop();
    await browser?.close();
    server?.close();
    await oauth?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function signedIn(login: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    oauth.signInAs(login);
    await page.goto(`${base}/dashboard/`);
    return page;
  }

  it("signs in through GitHub's web flow with state, lists the runs the user may read, and sets a safe cookie", async () => {
    const page = await signedIn("octocat");
    expect(page.url()).toBe(`${base}/dashboard/`);
    expect(oauth.exchanges.at(-1)).toMatchObject({ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret });
    await expect(page.textContent("header")).resolves.toContain("@octocat");
    const text = await page.textContent("main");
    expect(text).toContain("r-live");
    // acme/secret answers 404 for this user: its run is not listed.
    expect(text).not.toContain("r-other");
    const cookie = (await page.context().cookies()).find((c) => c.name === "dynflow_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/dashboard" });
    expect(cookie?.value).not.toContain("token-of");
    await page.screenshot({ path: join(ARTIFACTS, "runs.png"), fullPage: true });
  });

  it("updates a live run's page from server-sent events, and drills into an agent's transcript", async () => {
    const page = await signedIn("octocat");
    await page.goto(`${base}/dashboard/runs/r-live`);
    await expect(page.locator("#ag-a1 .st").textContent()).resolves.toBe("running");
    runner.succeed("migrate web", "web done", usage(100, 10), 0.01);
    // The page was not reloaded: the event arrived over the open stream.
    await page.locator("#ag-a2 .st", { hasText: "finished" }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, "run-live.png"), fullPage: true });
    await page.click("#ag-a2 a");
    await page.waitForURL(`${base}/dashboard/runs/r-live/agents/a2`);
    const text = await page.textContent("main");
    expect(text).toContain("migrate web");
    expect(text).toContain("claude-test");
    expect(await page.locator("details.tool summary").first().textContent()).toContain("edit_file");
    expect(await page.locator("pre.diff .a").first().textContent()).toBe("+http.get()");
    await page.screenshot({ path: join(ARTIFACTS, "agent.png"), fullPage: true });
  });

  it("stops one agent from the run page: its call resolves null and it is recorded as stopped", async () => {
    const page = await signedIn("octocat");
    await page.goto(`${base}/dashboard/runs/r-live`);
    await page.click('#ag-a1 button[data-stop="a1"]');
    await page.waitForURL(`${base}/dashboard/runs/r-live/agents/a1`);
    const result = await outcome;
    expect(result.result).toEqual([null, "web done"]);
    expect(result.agents[0]).toMatchObject({ stopped: true, error: "stopped: stopped by @octocat" });
    expect((await store.controls.list("r-live")).map((c) => [c.action, c.agentId, c.requestedBy])).toEqual([["stop-agent", "a1", "octocat"]]);
    await page.waitForTimeout(100);
    await page.reload();
    expect(await page.textContent("main")).toContain("stopped");
  });

  it("refuses the run to a user without read access, and controls to a reader", async () => {
    const stranger = await signedIn("stranger");
    const response = await stranger.goto(`${base}/dashboard/runs/r-live`);
    expect(response?.status()).toBe(404);
    expect(await stranger.textContent("main")).toContain("cannot read its repository");
    await stranger.screenshot({ path: join(ARTIFACTS, "refused.png") });

    const reader = await signedIn("reader");
    await reader.goto(`${base}/dashboard/runs/r-live`);
    expect(await reader.locator("form[action$='/cancel']").count()).toBe(0);
    const csrf = await reader.evaluate(async () => {
      const page = await fetch("/dashboard/").then((r) => r.text());
      return /name=_csrf value="([^"]+)"/.exec(page)?.[1] ?? "";
    });
    const status = await reader.evaluate(async (token) => (await fetch("/dashboard/runs/r-live/cancel", { method: "POST", body: new URLSearchParams({ _csrf: token }) })).status, csrf);
    expect(status).toBe(403);
  });

  it("refuses a control without the session's CSRF token", async () => {
    const page = await signedIn("octocat");
    await page.goto(`${base}/dashboard/runs/r-live`);
    const before = (await store.controls.list("r-live")).length;
    const status = await page.evaluate(async () => (await fetch("/dashboard/runs/r-live/cancel", { method: "POST", body: new URLSearchParams({ _csrf: "forged" }) })).status);
    expect(status).toBe(403);
    expect(await store.controls.list("r-live")).toHaveLength(before);
  });
});
