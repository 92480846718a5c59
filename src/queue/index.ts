/**
 * Scale-out: agent calls as BullMQ jobs on Redis, taken by any number of
 * worker processes under deployment-wide caps, and the same caps in one
 * process when there is no Redis. See docs/deploy.md, "Scale-out".
 */
export { agentJobId, jobPriority, MAX_JOB_PRIORITY } from "./agents/agent-job.js";
export { createCappedRunner, createProcessCaps, type CappedRunnerOptions, type ProcessCaps, type ProcessCapsOptions } from "./agents/create-capped-runner.js";
export { createQueuedAgentRunner, markRunCancelled, type QueuedAgentRunner, type QueuedAgentRunnerOptions } from "./agents/create-queued-agent-runner.js";
export { createRunnerFactory, type RunnerFactoryOptions } from "./agents/create-runner-factory.js";
export { IncompatibleJobError, QueueOptionError, WorkerStoppingError } from "./errors.js";
export { createInstallationCredentials, type InstallationCredentialsOptions } from "./agents/installation-credentials.js";
export { openAgentQueue, type AgentQueue, type JobSettlement, type OpenAgentQueueOptions } from "./agents/open-agent-queue.js";
export { PrioritySemaphore } from "./agents/priority-semaphore.js";
export { queueKeys, type QueueKeys, type RedisConnection } from "./queue-keys.js";
export { RedisSemaphore, type RedisSemaphoreOptions, type SemaphoreLease } from "./agents/redis-semaphore.js";
export { fetchChange, publishChange, withRemoteChanges, type RemoteExchange } from "./agents/share-changes.js";
export { startAgentWorker, type AgentWorker, type AgentWorkerOptions } from "./agents/start-agent-worker.js";
export * from "./agents/types.js";
