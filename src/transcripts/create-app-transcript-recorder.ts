import type { Logger } from "pino";
import type { AppConfig } from "../config/load-env.js";
import type { Store } from "../store/index.js";
import { createTranscriptRecorder, type TranscriptRecorderOptions } from "./create-transcript-recorder.js";
import type { TranscriptRecorder } from "./types.js";

/**
 * The recorder of a deployment's process (web or worker): the configured
 * bounds, and every secret of the configuration on the never-store list.
 */
export function createAppTranscriptRecorder(store: Pick<Store, "transcripts" | "engine">, config: AppConfig, log: Logger): TranscriptRecorder {
  return createTranscriptRecorder({ sink: store.transcripts, ...appTranscriptOptions(config, log) });
}

/** The configured bounds, the never-store list and the logger of a deployment's recorder, whatever its sink. */
export function appTranscriptOptions(config: AppConfig, log: Logger): Omit<TranscriptRecorderOptions, "sink"> {
  const secrets = [config.anthropicApiKey, config.privateKey, config.webhookSecret, config.databaseUrl, config.redisUrl, config.oauth?.clientSecret ?? null, config.sessionSecret]
    .filter((secret) => secret !== null)
    .map((secret) => secret.reveal());
  return {
    limits: { agentBytes: config.transcripts.agentBytes, runBytes: config.transcripts.runBytes },
    secrets,
    log: log.child({ component: "transcripts" }),
  };
}
