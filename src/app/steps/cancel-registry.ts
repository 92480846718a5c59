/**
 * The abort controllers of the run steps running in this process, by run id,
 * so `/dynflow cancel` can stop a run at once: the runtime starts no new
 * agent, in-flight agents see the signal, and finished work is still pushed
 * and reported.
 */

/** Run steps of this process that can be cancelled. */
export interface CancelRegistry {
  /** Registers a step of `runId` and returns the signal it must honour. */
  register(runId: string): AbortSignal;
  /** Aborts the run's step with `reason`. `false` when no step of the run is running here. */
  cancel(runId: string, reason: string): boolean;
  /** Forgets the run's step (when it has ended). */
  unregister(runId: string, signal: AbortSignal): void;
  /** Whether a step of the run is running in this process. */
  isActive(runId: string): boolean;
}

/** Creates an empty registry. */
export function createCancelRegistry(): CancelRegistry {
  const controllers = new Map<string, AbortController>();
  return {
    register(runId) {
      const controller = new AbortController();
      controllers.set(runId, controller);
      return controller.signal;
    },
    cancel(runId, reason) {
      const controller = controllers.get(runId);
      if (controller === undefined) return false;
      controller.abort(new Error(reason));
      return true;
    },
    unregister(runId, signal) {
      // A later step of the same run may have registered meanwhile; only forget our own.
      if (controllers.get(runId)?.signal === signal) controllers.delete(runId);
    },
    isActive: (runId) => controllers.has(runId),
  };
}
