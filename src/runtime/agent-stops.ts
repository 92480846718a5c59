/**
 * How a run's caller stops one agent without stopping the run: hold an
 * `AgentStops`, pass it to `runScript`, call `stop(agentId, reason)`. A
 * queued agent never starts; a running one sees its own abort signal. Either
 * way its `agent()` call resolves `null` and its record says `stopped`.
 */

/** What the scheduler does with a stop: true when the agent was found queued or running. */
export type StopAgent = (agentId: string, reason: string) => boolean;

export class AgentStops {
  private target: StopAgent | null = null;

  /** Stops `agentId` of the run this is attached to; false when no such agent is queued or running. */
  stop(agentId: string, reason: string): boolean {
    return this.target?.(agentId, reason) ?? false;
  }

  /** Connects a running scheduler (done by `runScript`); returns the detach function. */
  attach(target: StopAgent): () => void {
    this.target = target;
    return () => {
      if (this.target === target) this.target = null;
    };
  }
}
