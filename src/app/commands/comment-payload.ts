/**
 * The parts of an `issue_comment.created` payload dynflow acts on, checked
 * before anything reads them. A validly signed payload without them (a
 * replayed fixture, a proxy that trims bodies, another sender) is refused
 * with HTTP 400 and a log line naming each problem, instead of failing deep
 * inside a handler with a TypeError.
 */
import { z } from "zod";
import { DynflowError } from "../../errors.js";

const CommentPayload = z.object({
  comment: z.object({ id: z.number().int(), body: z.string(), html_url: z.string() }),
  issue: z.object({ number: z.number().int(), pull_request: z.unknown().optional() }),
  repository: z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }), default_branch: z.string().min(1) }),
  sender: z.object({ login: z.string().min(1), type: z.string().nullish() }),
  installation: z.object({ id: z.number().int() }).optional(),
});

/** A webhook payload without the parts its event promises; Probot's middleware answers its `status`, 400. */
export class InvalidPayloadError extends DynflowError {
  declare readonly code: "invalid_payload";
  /** HTTP status of the webhook's answer. */
  readonly status = 400;

  constructor(
    readonly event: string,
    readonly problems: string[],
  ) {
    super("invalid_payload", `the ${event} payload cannot be acted on: ${problems.join("; ")}`);
  }
}

/** Each problem of `payload` as `path: message` (empty when it has every part dynflow reads). */
export function commentPayloadProblems(payload: unknown): string[] {
  const parsed = CommentPayload.safeParse(payload);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`);
}
