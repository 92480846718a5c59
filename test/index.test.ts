import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it, vi } from "vitest";
import { renderUsage } from "../src/commands/usage.js";
import dynflowApp, { type AppOptions } from "../src/index.js";
import { API, useNock } from "./github/octokit.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

function payload(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
}

async function startApp(options: AppOptions = {}): Promise<Probot> {
  const probot = new Probot({
    appId: 123,
    privateKey,
    log: pino({ level: "silent" }),
    // The function form: with appId/privateKey the object form would be overridden and throttling stay on.
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load((app) => dynflowApp(app, options));
  return probot;
}

/** The installation token exchange every installation request starts with. */
function tokenScope() {
  return nock(API).post("/app/installations/77/access_tokens").reply(201, { token: "ghs_installation", expires_at: "2099-01-01T00:00:00Z" });
}

describe("dynflowApp", () => {
  useNock();

  it("answers /dynflow help with the usage text on the same issue", async () => {
    const probot = await startApp({ appSlug: "dynflow-app" });
    const tokens = tokenScope();
    let posted: unknown;
    const reply = nock(API)
      .post("/repos/acme/widgets/issues/42/comments", (body: unknown) => {
        posted = body;
        return true;
      })
      .matchHeader("authorization", "token ghs_installation")
      .reply(201, { id: 1 });
    await probot.receive({ id: "d-1", name: "issue_comment", payload: payload("issue_comment.created.help") } as never);
    expect(posted).toEqual({ body: renderUsage({ appSlug: "dynflow-app" }) });
    expect(tokens.isDone()).toBe(true);
    expect(reply.isDone()).toBe(true);
  });

  it("answers a malformed command with what is wrong and the usage text", async () => {
    const probot = await startApp({ appSlug: "dynflow-app" });
    const tokens = tokenScope();
    let posted: { body?: string } = {};
    const reply = nock(API)
      .post("/repos/acme/widgets/issues/42/comments", (body: { body?: string }) => {
        posted = body;
        return true;
      })
      .reply(201, { id: 2 });
    const event = payload("issue_comment.created.help") as { comment: { body: string } };
    event.comment.body = "@dynflow-app cancel run-7";
    await probot.receive({ id: "d-10", name: "issue_comment", payload: event } as never);
    expect(posted.body?.startsWith("`run-7` is not a run id")).toBe(true);
    expect(posted.body).toContain(renderUsage({ appSlug: "dynflow-app" }));
    expect(tokens.isDone() && reply.isDone()).toBe(true);
  });

  it("passes new comments to the comment handler with the slug", async () => {
    const handleComment = vi.fn(async () => {});
    const probot = await startApp({ appSlug: "dynflow-app", handleComment });
    await probot.receive({ id: "d-2", name: "issue_comment", payload: payload("issue_comment.created.run") } as never);
    expect(handleComment).toHaveBeenCalledTimes(1);
    const [context, deps] = handleComment.mock.calls[0] as unknown as [{ payload: { comment: { id: number } } }, { appSlug: string }];
    expect(context.payload.comment.id).toBe(9001);
    expect(deps).toEqual({ appSlug: "dynflow-app" });
  });

  it("ignores edited comments", async () => {
    const handleComment = vi.fn(async () => {});
    const probot = await startApp({ appSlug: "dynflow-app", handleComment });
    await probot.receive({ id: "d-3", name: "issue_comment", payload: payload("issue_comment.edited.help") } as never);
    expect(handleComment).not.toHaveBeenCalled();
  });

  it("says nothing to comments that are not commands, or that come from bots", async () => {
    const probot = await startApp({ appSlug: "dynflow-app" });
    // No nock scope: any request to GitHub would fail the delivery.
    await probot.receive({ id: "d-4", name: "issue_comment", payload: payload("issue_comment.created.unrelated") } as never);
    await probot.receive({ id: "d-5", name: "issue_comment", payload: payload("issue_comment.created.by-bot") } as never);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("looks the slug up once from GitHub when it is not configured", async () => {
    const handleComment = vi.fn(async () => {});
    const probot = await startApp({ handleComment });
    const app = nock(API).get("/app").matchHeader("authorization", /^bearer /i).once().reply(200, { id: 123, slug: "dynflow-app" });
    await probot.receive({ id: "d-6", name: "issue_comment", payload: payload("issue_comment.created.run") } as never);
    await probot.receive({ id: "d-7", name: "issue_comment", payload: payload("issue_comment.created.help") } as never);
    expect(app.isDone()).toBe(true);
    expect(handleComment.mock.calls.map((call) => (call as unknown as [unknown, { appSlug?: string }])[1].appSlug)).toEqual(["dynflow-app", "dynflow-app"]);
  });

  it("goes on without a slug when GitHub cannot tell, and asks again next time", async () => {
    const handleComment = vi.fn(async () => {});
    const probot = await startApp({ handleComment });
    const failing = nock(API).get("/app").reply(500, { message: "boom" });
    await probot.receive({ id: "d-8", name: "issue_comment", payload: payload("issue_comment.created.run") } as never);
    const working = nock(API).get("/app").reply(200, { id: 123, slug: "dynflow-app" });
    await probot.receive({ id: "d-9", name: "issue_comment", payload: payload("issue_comment.created.run") } as never);
    expect(failing.isDone() && working.isDone()).toBe(true);
    expect(handleComment.mock.calls.map((call) => (call as unknown as [unknown, { appSlug?: string }])[1].appSlug)).toEqual([undefined, "dynflow-app"]);
  });
});
