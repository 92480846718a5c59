/**
 * The parts of an `issue_comment.created` payload dynflow acts on; see
 * `webhook-payload.ts`, where every handled event's are.
 */
import { payloadProblems, WEBHOOK_PAYLOADS } from "../webhook-payload.js";

export { InvalidPayloadError } from "../webhook-payload.js";

/** Each problem of `payload` as `path: message` (empty when it has every part dynflow reads). */
export function commentPayloadProblems(payload: unknown): string[] {
  return payloadProblems(WEBHOOK_PAYLOADS["issue_comment.created"], payload);
}
