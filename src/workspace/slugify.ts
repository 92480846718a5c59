/**
 * Worker slugs and branch names. A slug is the last component of a worker's
 * branch `dynflow/<run-id>-work/<slug>`: lowercase `[a-z0-9-]`, at most 48
 * characters, unique within a run (a registry adds `-2`, `-3`, ...).
 */
import { createHash } from "node:crypto";
import slugifyText from "@sindresorhus/slugify";
import { InvalidRefNameError } from "./errors.js";

export const MAX_SLUG_LENGTH = 48;

/**
 * Turns a label into a ref-safe slug: `"Migrate src/Api (v2)!"` → `"migrate-src-api-v2"`,
 * `"Straße & Ærø"` → `"strasse-and-aero"`. Transliteration is @sindresorhus/slugify's; the
 * length cap, never ending in a dash, and never being empty are kept here.
 */
export function slugify(label: string, maxLength = MAX_SLUG_LENGTH): string {
  const slug = slugifyText(label, { decamelize: false })
    .slice(0, Math.max(1, maxLength))
    .replace(/-+$/, "");
  return slug === "" ? "agent" : slug;
}

/**
 * The slug of one agent: its label's slug plus a short hash of its journal key.
 * The key is content-derived and unique within a run, so the slug (and the
 * branch) is the same when the run is replayed, whatever order agents start in,
 * and two agents with the same label never share a branch.
 */
export function agentSlug(label: string, key: string): string {
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 7);
  return `${slugify(label, MAX_SLUG_LENGTH - hash.length - 1)}-${hash}`;
}

/**
 * Hands out slugs unique within one run. Replaying the same script claims the
 * same labels in the same order, so slugs (and branch names) are stable.
 */
export class SlugRegistry {
  private readonly taken = new Set<string>();

  /** `reserved` slugs are never handed out (e.g. names the run uses itself). */
  constructor(reserved: Iterable<string> = []) {
    for (const slug of reserved) this.taken.add(slug);
  }

  claim(label: string): string {
    const base = slugify(label);
    if (!this.taken.has(base)) {
      this.taken.add(base);
      return base;
    }
    for (let n = 2; ; n++) {
      const suffix = `-${n}`;
      const candidate = `${slugify(base, MAX_SLUG_LENGTH - suffix.length)}${suffix}`;
      if (!this.taken.has(candidate)) {
        this.taken.add(candidate);
        return candidate;
      }
    }
  }
}

/** Throws unless `value` can be one component of a branch name. */
export function assertRefComponent(value: string, what: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value)) {
    throw new InvalidRefNameError(value, `${what} must be 1-100 characters of letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  if (value.includes("..") || value.endsWith(".lock") || value.endsWith(".")) {
    throw new InvalidRefNameError(value, `${what} must not contain ".." or end with "." or ".lock"`);
  }
}

/**
 * The consolidated branch of a run, the pull request's head: `dynflow/<run-id>`
 * (short name, without `refs/heads/`).
 */
export function resultBranch(runId: string): string {
  assertRefComponent(runId, "run id");
  return `dynflow/${runId}`;
}

/**
 * The branch of one worker: `dynflow/<run-id>-work/<slug>`. Git cannot hold
 * both `dynflow/<run-id>` and `dynflow/<run-id>/<slug>` (a ref cannot also be
 * a directory of refs), so worker branches live beside the result branch.
 */
export function workerBranch(runId: string, slug: string): string {
  assertRefComponent(runId, "run id");
  assertRefComponent(slug, "slug");
  return `dynflow/${runId}-work/${slug}`;
}
