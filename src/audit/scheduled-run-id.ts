/**
 * The run id of a scheduled occurrence, derived from the schedule and the
 * occurrence time: a firing delivered twice (a BullMQ retry after a worker
 * crashed) computes the same id, and `runs.create` refuses the second run
 * with `DuplicateRunError` instead of starting it.
 */
import { createHash } from "node:crypto";
import type { ScheduledFiring } from "./types.js";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** `r-` and 10 lowercase letters and digits, like every run id, the same for the same occurrence. */
export function scheduledRunId(firing: Pick<ScheduledFiring, "schedule" | "at">): string {
  const { installationId, owner, repo, name } = firing.schedule;
  const digest = createHash("sha256").update(`audit\n${installationId}\n${owner}\n${repo}\n${name}\n${firing.at}`).digest();
  return `r-${[...digest.subarray(0, 10)].map((byte) => ALPHABET[byte % ALPHABET.length]).join("")}`;
}
