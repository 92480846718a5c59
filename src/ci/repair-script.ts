/**
 * The plan script of a CI repair round: one converged change on the
 * consolidated branch, so the repair is reviewed like any other change
 * before CI judges it again. Its `args.task` is `repairTask`'s prompt.
 */
export const REPAIR_SCRIPT_FILENAME = "ci-repair.js";

export const REPAIR_SCRIPT = `export const meta = { name: "ci-repair", description: "Make the repository's failing CI checks pass on the consolidated branch", phases: [{ title: "Repair" }] };
phase("Repair");
const result = await converge(args.task, { label: "ci-repair" });
return result.status;
`;

/** The run id of repair round `round` of run `runId`: its own journal, branches `dynflow/<run-id>-ci<round>`. */
export function repairRunId(runId: string, round: number): string {
  return `${runId}-ci${round}`;
}
