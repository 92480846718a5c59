/** A CI wait still waiting, as the store records it, for the tests of what ends or moves one. */
import type { NewCiWait } from "../../../src/store/index.js";

export function waitingCiWait(runId: string, fields: Partial<NewCiWait> = {}): NewCiWait {
  return {
    runId,
    installationId: 1,
    owner: "acme",
    repo: "widgets",
    branch: `dynflow/${runId}`,
    headSha: "a".repeat(40),
    round: 0,
    state: "waiting",
    deadline: 9_000,
    prNumber: 12,
    prNodeId: "PR_12",
    readyWhenGreen: true,
    settings: { wait: true, repairRounds: 1, timeoutMinutes: 60, checks: null, ignore: [] },
    history: [],
    ...fields,
  };
}
