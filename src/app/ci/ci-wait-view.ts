/**
 * A stored CI wait as the app uses it: its `ci:` settings and its rounds
 * parsed with zod where they are read.
 */
import { z } from "zod";
import type { CiConfig } from "../../config/ci-config.js";
import { ciHistorySchema, type CiRound } from "../../ci/types.js";
import type { CiWait } from "../../store/index.js";

const settingsSchema = z.object({
  wait: z.boolean(),
  repairRounds: z.int().min(0),
  timeoutMinutes: z.number().positive(),
  checks: z.array(z.string()).nullable(),
  ignore: z.array(z.string()),
});

export interface CiWaitView {
  wait: CiWait;
  settings: CiConfig;
  history: CiRound[];
}

export function viewOf(wait: CiWait): CiWaitView {
  return { wait, settings: settingsSchema.parse(wait.settings), history: ciHistorySchema.parse(wait.history) };
}

/** How long one round waits, in ms. */
export function timeoutMsOf(settings: Pick<CiConfig, "timeoutMinutes">): number {
  return Math.round(settings.timeoutMinutes * 60_000);
}
