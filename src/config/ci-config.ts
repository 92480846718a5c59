/**
 * The `ci:` block of `.github/dynflow.yml`: whether dynflow waits for the
 * repository's own checks on the consolidated branch, how many repair rounds
 * a failure may start, how long it waits, and which checks count. Kept apart
 * from the rest of the schema so the block stands on its own.
 */
import { z } from "zod";
import { compileGlob, MAX_GLOB_LENGTH } from "../patterns/index.js";

/** The validated `ci:` block. */
export interface CiConfig {
  /** Wait for the repository's checks before the pull request is ready for review. Default true. */
  wait: boolean;
  /** Repair rounds a failing CI may start (0: report the failure, repair nothing). Default 2. */
  repairRounds: number;
  /** How long one round waits for the checks to finish, in minutes. Default 60. */
  timeoutMinutes: number;
  /** Globs of the check names that count; none: every check except dynflow's own. */
  checks: string[] | null;
  /** Globs of check names that never count (flaky or informational checks). */
  ignore: string[];
}

export const DEFAULT_CI: Readonly<CiConfig> = Object.freeze({ wait: true, repairRounds: 2, timeoutMinutes: 60, checks: null, ignore: [] });

/** The keys of the block, for suggestions on a misspelt one. */
export const CI_KEYS: readonly string[] = ["wait", "repairRounds", "timeoutMinutes", "checks", "ignore"];

const MIN_TIMEOUT = 0.05;
const MAX_TIMEOUT = 1440;
const timeoutError = `must be a number of minutes from ${MIN_TIMEOUT} to ${MAX_TIMEOUT} (24 hours), e.g. 45`;
const roundsError = "must be a whole number from 0 to 10";

const checkGlob = z
  .string({ error: "must be a check name or a glob such as \"test (*)\"" })
  .min(1, { error: "must not be empty" })
  .max(MAX_GLOB_LENGTH, { error: `must be at most ${MAX_GLOB_LENGTH} characters` })
  .superRefine((glob, ctx) => {
    try {
      compileGlob(glob);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `is not a glob dynflow can match: ${error instanceof Error ? error.message : String(error)}` });
    }
  });
const globs = z.array(checkGlob, { error: "must be a list of check names or globs" });

/** The block's schema. `ci: true` is shorthand for every default, `ci: false` for no waiting. */
export const ciConfigSchema = z.union(
  [
    z.literal(true).transform((): CiConfig => ({ ...DEFAULT_CI, ignore: [] })),
    z.literal(false).transform((): CiConfig => ({ ...DEFAULT_CI, wait: false, ignore: [] })),
    z.strictObject({
      wait: z.boolean({ error: "must be true or false" }).default(DEFAULT_CI.wait),
      repairRounds: z.int({ error: roundsError }).min(0, { error: roundsError }).max(10, { error: roundsError }).default(DEFAULT_CI.repairRounds),
      timeoutMinutes: z.number({ error: timeoutError }).min(MIN_TIMEOUT, { error: timeoutError }).max(MAX_TIMEOUT, { error: timeoutError }).default(DEFAULT_CI.timeoutMinutes),
      checks: globs.min(1, { error: "list at least one check, or leave checks out to count every check" }).nullable().default(null),
      ignore: globs.default([]),
    }),
  ],
  { error: "must be true, false or a mapping (wait, repairRounds, timeoutMinutes, checks, ignore)" },
);

/** The CI settings a run waits with, or null when it does not wait (no block, or `wait: false`). */
export function ciWaitOf(ci: CiConfig | null | undefined): CiConfig | null {
  return ci && ci.wait ? ci : null;
}
