/**
 * The schema of `.github/dynflow.yml` (zod) and the types it produces. Every
 * field has a default, so a missing file and an empty one mean the same.
 */
import { z } from "zod";
import { ALIAS_NAME, DEFAULT_MODELS, INHERIT, type PriceTable, type Role } from "../agents/model/index.js";
import { WORKFLOW_NAME } from "../commands/parse-command.js";
import type { JsonValue } from "../runtime/types.js";
import { isTimeZone } from "../time.js";
import { DEFAULT_PROTECTED_PATHS } from "../workspace/index.js";
import { WEB_TOOLS_KEYS, webToolsSchema, type WebToolsConfig } from "../web-tools/web-tools-config.js";
import { checkCron } from "./check-cron.js";
import { CI_KEYS, ciConfigSchema, type CiConfig } from "./ci-config.js";
import { COMMANDS_CONFIG_KEYS, commandsConfigShape, type CommandsConfig } from "../command-sandbox/commands-config.js";
import { modelIdSchema, priceTableSchema } from "./price-schema.js";

/** When a run waits for `/dynflow approve` before it spends tokens. */
export type ApprovalPolicy =
  | "always"
  | "never"
  /** Approval when the plan's estimate goes above any of these. */
  | { aboveAgents?: number; aboveUsd?: number; aboveTokens?: number };

/** A scheduled audit: a workflow run on a cron schedule, findings to an issue. */
export interface AuditConfig {
  name: string;
  cron: string;
  /**
   * Workflow to run: saved in the repository (`.claude/workflows/<workflow>.js`),
   * else bundled with dynflow. Default `audit`, the bundled audit workflow.
   */
  workflow: string;
  args?: JsonValue;
  budget?: { tokens?: number; usd?: number };
  /** Send the audit's model calls through the Message Batches API (half price, slower). */
  batch?: boolean;
  /** IANA time zone of `cron`; UTC when omitted. */
  timezone?: string;
}

/** The validated repository configuration, defaults filled in. */
export interface RepoConfig {
  enabled: boolean;
  /** Model id per role (a shortcut given in the file is resolved to its id). */
  models: Record<Role, string>;
  /** Model shortcuts added or redirected (`haiku: claude-haiku-4-5`); merged over the built-in ones where used. */
  modelAliases: Record<string, string>;
  caps: { maxConcurrency: number; maxAgents: number; maxItems: number; maxTurns: number; deadlineMinutes: number };
  budget: { tokens: number | null; usd: number | null };
  approval: ApprovalPolicy;
  /**
   * A run started without approval because its estimate was under the
   * thresholds stops and asks for approval once it uses more than this many
   * times its estimate's agents or dollars. Default 2.
   */
  approvalOverrun: number;
  /** Pull requests from forks: `push` lets runs asked for there push branches and open a pull request. Default false. */
  forks: { push: boolean };
  modules: "auto" | { name: string; globs: string[] }[];
  /** Always includes the built-in protected paths. */
  protectedPaths: string[];
  refuters: number;
  rounds: number;
  prices: PriceTable;
  audits: AuditConfig[];
  /** Anthropic's server-side web tools for agents; off by default. */
  web: WebToolsConfig;
  /** Waiting for the repository's own CI on the consolidated branch (`ci-config.ts`); null: not configured. */
  ci: CiConfig | null;
  /** Named command lines agents and checks may run in the sandbox (`test: npm test`). */
  commands: CommandsConfig["commands"];
  /** Run once per run on the base tree before agents start (`npm ci`). */
  setup: CommandsConfig["setup"];
  /** Free-form executables, setup's network, fixed variables and limits of sandboxed commands. */
  sandbox: CommandsConfig["sandbox"];
}

export const DEFAULT_APPROVAL: Readonly<{ aboveAgents: number; aboveTokens: number }> = Object.freeze({
  aboveAgents: 25,
  aboveTokens: 1_500_000,
});

const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
};
const positiveNumber = z.number({ error: "must be a number greater than 0" }).positive({ error: "must be a number greater than 0" });
const nameSchema = z.string({ error: "must be a name" }).regex(WORKFLOW_NAME, {
  error: "must be a lowercase name (letters, digits, - and _), e.g. weekly-deps",
});
const globList = z
  .array(z.string({ error: "must be a glob such as src/**" }).min(1, { error: "must not be empty" }), {
    error: "must be a list of globs",
  })
  .min(1, { error: "must list at least one glob" });
/**
 * Names must be unique in a list. Runs even when items have other problems
 * (`when`), so one pass reports everything; items may then be malformed.
 */
const uniqueNames = (label: string) => {
  const check = (items: unknown, ctx: z.RefinementCtx) => {
    if (!Array.isArray(items)) return;
    const seen = new Set<string>();
    items.forEach((item: unknown, index) => {
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name !== "string") return;
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: `${label} "${name}" is defined twice` });
      seen.add(name);
    });
  };
  return [check, { when: () => true }] as const;
};

const role = (name: Role) => modelIdSchema.default(DEFAULT_MODELS[name]);

const aliasName = z
  .string()
  .regex(ALIAS_NAME, { error: "must be a shortcut name: lowercase letters, digits and -, e.g. fast" })
  .refine((name) => name !== INHERIT, { error: `"${INHERIT}" always means the role's own model and cannot be redefined` });

const approvalSchema = z.union(
  [
    z.enum(["always", "never"]),
    z
      .strictObject({ aboveAgents: wholeNumber(1, 1_000_000).optional(), aboveUsd: positiveNumber.optional(), aboveTokens: wholeNumber(1, 1e12).optional() })
      .refine((value) => Object.keys(value).length > 0, { error: "give at least one of aboveAgents, aboveUsd, aboveTokens" }),
  ],
  { error: "must be always, never, or thresholds (aboveAgents, aboveUsd, aboveTokens)" },
);

/** The workflow an audit runs when it names none: the bundled `workflows/audit.js`. */
export const DEFAULT_AUDIT_WORKFLOW = "audit";

const auditFields = z.strictObject({
  name: nameSchema,
  cron: z.string({ error: "must be a cron expression such as \"0 6 * * 1\"" }).superRefine((value, ctx) => {
    const problem = checkCron(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  workflow: nameSchema.default(DEFAULT_AUDIT_WORKFLOW),
  args: z.json().optional(),
  budget: z.strictObject({ tokens: wholeNumber(1, 1e12).optional(), usd: positiveNumber.optional() }).optional(),
  batch: z.boolean({ error: "must be true or false" }).optional(),
  timezone: z
    .string({ error: "must be an IANA time zone such as Europe/Paris" })
    .refine(isTimeZone, { error: "is not a time zone dynflow knows (use an IANA name such as Europe/Paris or UTC)" })
    .optional(),
  /** An inline task: what the bundled audit looks for, in words (shorthand for `args`). */
  task: z.string({ error: "must be text: what to look for" }).trim().min(1, { error: "must not be empty" }).optional(),
});

const auditSchema = auditFields
  .superRefine((audit, ctx) => {
    if (audit.task === undefined) return;
    if (audit.args !== undefined) ctx.addIssue({ code: "custom", path: ["task"], message: "give either task or args, not both (task is the args of the bundled audit)" });
    if (audit.workflow !== DEFAULT_AUDIT_WORKFLOW) ctx.addIssue({ code: "custom", path: ["task"], message: `an inline task runs the bundled audit; drop workflow: ${audit.workflow}, or pass what it needs in args` });
  })
  // An inline task is the bundled audit's args.
  .transform(({ task, ...audit }) => (task === undefined ? audit : { ...audit, args: task }));

/** The file's schema; its output is a `RepoConfig`. */
export const repoConfigSchema = z.strictObject({
  enabled: z.boolean({ error: "must be true or false" }).default(true),
  models: z
    .strictObject({ planner: role("planner"), worker: role("worker"), refuter: role("refuter"), resolver: role("resolver") })
    .prefault({}),
  caps: z
    .strictObject({
      maxConcurrency: wholeNumber(1, 256).default(16),
      maxAgents: wholeNumber(1, 100_000).default(1000),
      maxItems: wholeNumber(1, 4096).default(4096),
      maxTurns: wholeNumber(1, 1000).default(40),
      deadlineMinutes: wholeNumber(1, 10_080).default(360),
    })
    .prefault({}),
  budget: z
    .strictObject({ tokens: wholeNumber(1, 1e12).nullable().default(null), usd: positiveNumber.nullable().default(null) })
    .prefault({}),
  approval: approvalSchema.default({ ...DEFAULT_APPROVAL }),
  approvalOverrun: z
    .number({ error: "must be a number from 1 to 100" })
    .min(1, { error: "must be a number from 1 to 100" })
    .max(100, { error: "must be a number from 1 to 100" })
    .default(2),
  forks: z.strictObject({ push: z.boolean({ error: "must be true or false" }).default(false) }).prefault({}),
  modules: z
    .union(
      [
        z.literal("auto"),
        z
          .array(z.strictObject({ name: z.string({ error: "must be a module name" }).min(1).max(200), globs: globList }))
          .min(1, { error: "list at least one module, or use auto" })
          .superRefine(...uniqueNames("module")),
      ],
      { error: "must be auto or a list of { name, globs }" },
    )
    .default("auto"),
  protectedPaths: globList
    .default([...DEFAULT_PROTECTED_PATHS])
    // The built-in paths stay protected: the app cannot push workflow files anyway.
    .transform((paths) => [...new Set([...DEFAULT_PROTECTED_PATHS, ...paths])]),
  refuters: wholeNumber(1, 10).default(2),
  rounds: wholeNumber(1, 10).default(3),
  prices: priceTableSchema.default({}),
  audits: z.array(auditSchema, { error: "must be a list of audits" }).superRefine(...uniqueNames("audit")).default([]),
  modelAliases: z.record(aliasName, modelIdSchema, { error: "must map shortcut names to model ids, e.g. haiku: claude-haiku-5-5" }).default({}),
  web: webToolsSchema.prefault({}),
  ci: ciConfigSchema.nullable().default(null),
  ...commandsConfigShape,
});

const PRICE_KEYS = ["input", "output", "cacheWrite", "cacheRead"];

/** The keys of each object of the schema, so a misspelt key gets a suggestion. Lists and price models are `*`. */
const KEYS_AT: Readonly<Record<string, readonly string[]>> = {
  "": Object.keys(repoConfigSchema.shape),
  models: ["planner", "worker", "refuter", "resolver"],
  caps: ["maxConcurrency", "maxAgents", "maxItems", "maxTurns", "deadlineMinutes"],
  budget: ["tokens", "usd"],
  approval: ["aboveAgents", "aboveUsd", "aboveTokens"],
  forks: ["push"],
  "modules.*": ["name", "globs"],
  "prices.*": [...PRICE_KEYS, "longPrompt"],
  "prices.*.longPrompt": ["thresholdTokens", ...PRICE_KEYS],
  "audits.*": Object.keys(auditFields.shape),
  "audits.*.budget": ["tokens", "usd"],
  web: WEB_TOOLS_KEYS,
  ci: CI_KEYS,
  ...COMMANDS_CONFIG_KEYS,
};

/** The keys allowed in the object at `path`, for suggestions on unknown keys. */
export function keysAt(path: readonly PropertyKey[]): readonly string[] | undefined {
  const parts = path.map((key, index) => (typeof key === "number" || (index === 1 && path[0] === "prices") ? "*" : String(key)));
  return KEYS_AT[parts.join(".")];
}
