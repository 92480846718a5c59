/**
 * The parts of each webhook payload dynflow acts on, checked before a
 * handler reads them. A validly signed payload without them (a replayed
 * fixture, a proxy that trims bodies, another sender) is refused with HTTP
 * 400 and a log line naming each problem, instead of failing deep inside a
 * handler with a TypeError (a 500 that says nothing).
 */
import { z } from "zod";
import { DynflowError } from "../errors.js";

const repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });
const listedRepository = z.object({ name: z.string().min(1), full_name: z.string().min(3) });
const installation = z.object({ id: z.number().int() });

/** Per event (as Probot names it, `name.action`), what its handler reads. */
export const WEBHOOK_PAYLOADS = {
  "issue_comment.created": z.object({
    comment: z.object({ id: z.number().int(), body: z.string(), html_url: z.string() }),
    issue: z.object({ number: z.number().int(), pull_request: z.unknown().optional() }),
    repository: repository.extend({ default_branch: z.string().min(1) }),
    sender: z.object({ login: z.string().min(1), type: z.string().nullish() }),
    installation: installation.optional(),
  }),
  /** `check_suite`, `check_run` and `workflow_run` (completed), and `status`: the commit is read leniently (`headShaOf`). */
  ci: z.object({ repository }),
  /** Only a run's own pull request counts: its head branch and repository, and the run's installation, are compared with the store. */
  "pull_request.closed": z.object({
    pull_request: z.object({
      number: z.number().int(),
      merged: z.boolean().nullish(),
      // `head.repo` is null when a fork's repository was deleted.
      head: z.object({ ref: z.string(), repo: z.object({ id: z.number().int() }).nullable() }),
    }),
    repository: repository.extend({ id: z.number().int() }),
    installation,
  }),
  "installation.created": z.object({ installation, repositories: z.array(listedRepository).optional() }),
  "installation.deleted": z.object({ installation, action: z.string() }),
  "installation_repositories.added": z.object({ installation, repositories_added: z.array(listedRepository) }),
  "installation_repositories.removed": z.object({ installation, repositories_removed: z.array(listedRepository) }),
  push: z.object({
    ref: z.string(),
    repository: listedRepository.extend({ default_branch: z.string().nullish() }),
    installation: installation.optional(),
    commits: z.array(z.object({ added: z.array(z.string()).nullish(), modified: z.array(z.string()).nullish(), removed: z.array(z.string()).nullish() })).nullish(),
  }),
} as const;

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

/** Each problem of `payload` against `schema` as `path: message` (empty when it has every part dynflow reads). */
export function payloadProblems(schema: z.ZodType, payload: unknown): string[] {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`);
}

interface WebhookContext {
  id: string;
  name: string;
  payload: unknown;
  log: { warn(fields: object, message: string): void };
}

/** Throws `InvalidPayloadError` (logged with the delivery id and each problem) when `context`'s payload lacks what `kind` reads. */
export function checkPayload(context: WebhookContext, kind: keyof typeof WEBHOOK_PAYLOADS): void {
  const problems = payloadProblems(WEBHOOK_PAYLOADS[kind], context.payload);
  if (problems.length === 0) return;
  const action = (context.payload as { action?: unknown } | null)?.action;
  const event = typeof action === "string" ? `${context.name}.${action}` : context.name;
  context.log.warn({ delivery: context.id, event, problems }, "webhook payload rejected");
  throw new InvalidPayloadError(event, problems);
}

/** `handle`, for webhooks whose payload must first pass `checkPayload` for `kind` (a 400 otherwise). */
export function checked<C extends WebhookContext>(kind: keyof typeof WEBHOOK_PAYLOADS, handle: (context: C) => Promise<unknown>): (context: C) => Promise<void> {
  return async (context) => {
    checkPayload(context, kind);
    await handle(context);
  };
}
