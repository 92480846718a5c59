import type { Logger } from "pino";
import type { AppConfig } from "../config/load-env.js";
import type { Store } from "../store/types.js";
import { createTranscriptRecorder } from "./create-transcript-recorder.js";
import type { TranscriptRecorder } from "./types.js";

/**
 * The recorder of a deployment's process (web or worker): the configured
 * bounds, and every secret of the configuration on the never-store list.
 */
export function createAppTranscriptRecorder(store: Pick<Store, "transcripts" | "engine">, config: AppConfig, log: Logger): TranscriptRecorder {
  const secrets = [config.anthropicApiKey, config.privateKey, config.webhookSecret, config.databaseUrl, config.redisUrl, config.oauth?.clientSecret ?? null, config.sessionSecret]
    .filter((secret) => secret !== null)
    .map((secret) => secret.reveal());
  return createTranscriptRecorder({
    sink: store.transcripts,
    limits: { agentBytes: config.transcripts.agentBytes, runBytes: config.transcripts.runBytes },
    secrets,
    log: log.child({ component: "transcripts" }),
  });
}
