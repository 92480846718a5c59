/**
 * Browser tests of the dashboard: Debian's Chromium driven by playwright-core
 * (no browser download). Without Chromium the tests are skipped with a
 * message, except in CI, where they fail. Screenshots go to
 * `test-artifacts/dashboard/` (ignored by git).
 */
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { describe, expect, it } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = new URL("../../test-artifacts/dashboard/", import.meta.url).pathname;
const available = existsSync(CHROMIUM);

/** `describe` for tests that need Chromium; see the module comment. */
export function describeWithChromium(name: string, body: () => void): void {
  if (!available && !process.env.CI) {
    const reason = `needs Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`;
    console.warn(`${name} skipped: ${reason}`);
    describe(name, () => it.skip(reason, () => {}));
    return;
  }
  describe(name, () => {
    it("has Chromium to drive", () => {
      // In CI a missing browser must fail rather than skip.
      expect(available).toBe(true);
    });
    body();
  });
}

/** Starts headless Chromium; playwright gives every launch a fresh temporary profile. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
