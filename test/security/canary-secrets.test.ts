/**
 * Attack class: secrets leaking anywhere. The whole app path runs (webhook,
 * planning, workers, refuters, git clone, commits, merge, push, pull
 * request, report) in a process whose environment holds canary values for
 * every secret a deployment has; then every child process environment (a
 * recording `git` on PATH), every log line at the finest level, everything
 * sent to GitHub (comments, pull request, check runs), every prompt sent to
 * the model, and every stored row (agents' transcripts included) is scanned
 * for them.
 */
import { generateKeyPairSync } from "node:crypto";
import Database from "better-sqlite3";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTranscriptRecorder } from "../../src/transcripts/create-transcript-recorder.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "../app/app-harness.js";
import { testGitEnv } from "../workspace/git-fixture.js";
import { CANARY_SECRETS, startGitRecorder, type GitRecorder } from "./git-recorder.js";

const E2E = { timeout: 120_000 };
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const SECRETS: Record<string, string> = { ...CANARY_SECRETS, PRIVATE_KEY: privateKey };

/** Each secret as it could appear: whole, or (for the key) any of its base64 lines. */
function leaksIn(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, value]) => value.split("\n").some((line) => line.length >= 16 && !line.startsWith("-----") && text.includes(line)))
    .map(([name]) => name);
}

function storedRows(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return JSON.stringify(tables.map(({ name }) => ({ name, rows: db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all() })));
  } finally {
    db.close();
  }
}

describe("canary secrets (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  let recorder: GitRecorder;
  const lines: string[] = [];

  beforeEach(async () => {
    for (const [name, value] of Object.entries(SECRETS)) vi.stubEnv(name, value);
    recorder = await startGitRecorder();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await recorder.close();
    vi.unstubAllEnvs();
  });

  it("reach no child process, log line, GitHub write, prompt or stored row", E2E, async () => {
    const log = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
    // The environment git starts from is the process's own, secrets included, as in a deployment.
    const gitEnv = { ...testGitEnv(), PATH: `${recorder.binDir}:${process.env.PATH ?? ""}` };
    expect(leaksIn(JSON.stringify(gitEnv)).length).toBeGreaterThan(0);
    // Transcripts recorded as the app records them, but told no secret to remove: what they hold must be clean by itself.
    const transcripts = createTranscriptRecorder({ sink: { append: (entries, options) => app!.services.store.transcripts.append(entries, options) }, flushMs: 10 });
    app = await startHarness({ gitEnv, apiKey: SECRETS.ANTHROPIC_API_KEY, privateKey, log, services: { transcripts } });
    await app.receive("issue_comment.created.run", "delivery-canary");
    await app.idle();
    await transcripts.close();
    expect((await app.services.store.transcripts.usage("r-1")).bytes).toBeGreaterThan(0);

    // The run went all the way: git ran, the model was asked, a pull request was opened.
    expect((await app.services.store.runs.get("r-1"))?.status).toBe("ok");
    expect(app.github.pulls).toHaveLength(1);
    const environments = await recorder.environments();
    expect(environments.length).toBeGreaterThan(5);
    expect(app.api.requests.length).toBeGreaterThan(3);
    expect(lines.length).toBeGreaterThan(10);

    const places: Record<string, string> = {
      "git process environments": JSON.stringify(environments),
      "log lines": lines.join("\n"),
      "requests to GitHub": JSON.stringify(app.github.calls),
      "comments, pull requests, check runs": JSON.stringify([app.github.comments, app.github.pulls, app.github.checkRuns, app.github.reviews, app.github.issues]),
      "prompts": JSON.stringify(app.api.requests.map((request) => request.body)),
      "stored rows": storedRows(app.databasePath),
    };
    for (const [place, text] of Object.entries(places)) expect({ place, leaks: leaksIn(text) }).toEqual({ place, leaks: [] });
  });
});
