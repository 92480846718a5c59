/**
 * Dashboard benchmarks: page weight and time to first render of a
 * 1,000-agent run in real Chromium (Debian's, driven by playwright-core, a
 * fresh profile and the cache off for every load), finished and live; and the
 * runs and agent pages beside it. Bytes are what crossed the network for the
 * page and everything it loaded (gzip as the server sends it); time to first
 * render is the first contentful paint, from the start of the navigation.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { createDashboardHandler } from "../src/dashboard/create-dashboard-handler.js";
import { openStore } from "../src/store/open-store.js";
import { createTranscriptRecorder } from "../src/transcripts/create-transcript-recorder.js";
import { makeThousandAgentRun } from "./dashboard-fixture.js";
import type { BenchFigure } from "./types.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LOADS = 5;

interface Load {
  bytes: number;
  firstPaintMs: number;
  loadMs: number;
}

/** One cold load of `url` in a fresh context: bytes over the wire and paint times. */
async function load(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const finished = new Map<string, number>();
    const streaming = new Map<string, number>();
    cdp.on("Network.dataReceived", (event) => streaming.set(event.requestId, (streaming.get(event.requestId) ?? 0) + event.encodedDataLength));
    cdp.on("Network.loadingFinished", (event) => finished.set(event.requestId, event.encodedDataLength));
    await page.goto(url, { waitUntil: "load" });
    // The live page's event stream stays open: what it received so far counts too.
    await page.waitForTimeout(300);
    // Evaluated in the page (a browser's Performance API); the entry is read by name, typed here by hand.
    const times = await page.evaluate(`(() => {
      const paint = performance.getEntriesByName("first-contentful-paint")[0];
      const nav = performance.getEntriesByType("navigation")[0];
      return { firstPaintMs: paint ? paint.startTime : NaN, loadMs: nav ? nav.loadEventEnd : NaN };
    })()`) as { firstPaintMs: number; loadMs: number };
    let bytes = [...finished.values()].reduce((a, b) => a + b, 0);
    for (const [id, received] of streaming) if (!finished.has(id)) bytes += received;
    return { bytes, ...times };
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function measure(browser: Browser, url: string): Promise<Load> {
  await load(browser, url); // warm the server's code paths and the browser process
  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await load(browser, url));
  return { bytes: median(loads.map((l) => l.bytes)), firstPaintMs: median(loads.map((l) => l.firstPaintMs)), loadMs: median(loads.map((l) => l.loadMs)) };
}

export async function bench(): Promise<BenchFigure[]> {
  if (!existsSync(CHROMIUM)) {
    console.log(`dashboard benchmark skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    return [];
  }
  const dir = await mkdtemp(join(tmpdir(), "dynflow-bench-dashboard-"));
  const store = await openStore({ sqlitePath: join(dir, "bench.db") });
  let server: Server | undefined;
  let browser: Browser | undefined;
  try {
    const recorder = createTranscriptRecorder({ sink: store.transcripts });
    const built = performance.now();
    await makeThousandAgentRun(store, recorder, "bench-done");
    await makeThousandAgentRun(store, recorder, "bench-live", { live: true });
    await recorder.close();
    const buildMs = performance.now() - built;
    for (let i = 0; i < 48; i++) await store.runs.create({ id: `older-${i}`, installationId: 1, owner: "acme", repo: "shop", kind: "task", status: "ok", task: `Earlier task ${i}`, result: { agents: 12, costUsd: 0.4 } });

    const handler = createDashboardHandler({ store, mode: { kind: "local" } });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });

    const figures: BenchFigure[] = [{ name: "building the 1,000-agent fixture runs (2 runs, transcripts included)", value: buildMs, unit: "ms" }];
    const pages: [string, string, boolean][] = [
      ["run page, 1,000-agent run, finished", `${base}/runs/bench-done`, true],
      ["run page, 1,000-agent run, live (event stream open)", `${base}/runs/bench-live`, true],
      ["runs page, 50 runs", `${base}/`, false],
      ["agent page, a worker's transcript", `${base}/runs/bench-done/agents/a1`, false],
    ];
    for (const [name, url, targeted] of pages) {
      const m = await measure(browser, url);
      const kb = m.bytes / 1024;
      figures.push({ name: `${name}: transferred`, value: kb, unit: "KB", ...(targeted ? { target: "< 300 KB", pass: kb < 300 } : {}) });
      figures.push({ name: `${name}: first contentful paint`, value: m.firstPaintMs, unit: "ms", ...(targeted ? { target: "< 1000 ms", pass: m.firstPaintMs < 1000 } : {}) });
      figures.push({ name: `${name}: load event`, value: m.loadMs, unit: "ms" });
    }
    return figures;
  } finally {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
