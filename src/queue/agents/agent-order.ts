/**
 * The order in which waiting agents get a slot, the same in both shapes
 * (the process's semaphores and the agents queue): by round, then by the
 * run's age.
 *
 * A run's agents are counted in the order it asks for them, in rounds of
 * `AGENTS_PER_ROUND`: its first eight are round 0, the next eight round 1,
 * and so on. An agent of an earlier round goes before any agent of a later
 * one, so a run that starts while a big run has hundreds waiting has its
 * first agents taken after at most one round of each run ahead of it, not
 * after the backlog. Within a round the older run goes first, so runs of a
 * few agents finish in the order they came: the first run's pull request
 * does not wait for every other run's agents, and while it merges and
 * reports, the next runs' agents have the slots. (Taking each run's n-th
 * agent in turn, as before, moved all runs at the same pace: they finished
 * together, and then left every slot idle while they all merged.)
 */

/** Agents of a run in one round. */
export const AGENTS_PER_ROUND = 8;

/** The round of a run's agent, given how many agents the run asked for before it. */
export function agentRound(startedByRun: number): number {
  return Math.floor(Math.max(0, Number.isFinite(startedByRun) ? startedByRun : 0) / AGENTS_PER_ROUND);
}

/** Rounds told apart in the process's order; later ones share the last. */
const PROCESS_ROUNDS = 900;
/** Milliseconds since the epoch below this (the year 2286) are a run's age as they are. */
const AGE_SPAN = 1e13;

/**
 * The process's order key of a run's next agent (lower first): its round,
 * then the run's creation time in milliseconds. Exact below 2^53.
 */
export function processAgentOrder(startedByRun: number, runCreatedAt: number): number {
  const age = Math.min(AGE_SPAN - 1, Math.max(0, Math.floor(runCreatedAt) || 0));
  return Math.min(agentRound(startedByRun), PROCESS_ROUNDS - 1) * AGE_SPAN + age;
}
