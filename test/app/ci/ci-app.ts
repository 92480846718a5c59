/**
 * The app the CI, closed-pull-request and GitHub-calls end-to-end tests run
 * against: the fake GitHub serving the CI repositories of `ci-flow.ts`, the
 * fake model answering as `handleModel` does, and a deployment of either
 * shape (`startDeployment`) whose web process takes their webhooks.
 */
import type { Store } from "../../../src/store/index.js";
import { startDeployment, type Deployment, type DeploymentOptions } from "../../durability/deployment.js";
import { startFakeAnthropic, type FakeAnthropic } from "../../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer, type ServedPull } from "../../fakes/fake-github-server.js";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";
import { addCiRepository, handleModel, OWNER } from "./ci-flow.js";

/** A repository to serve: its name, the YAML under its config's `ci:`, and files to add or replace. */
export type CiRepository = readonly [repo: string, ci: string, extra?: Record<string, string>];

export interface CiAppOptions extends Pick<DeploymentOptions, "shape" | "workers" | "env"> {
  /** Prefix of the temp directory the remotes and data directories go in. */
  prefix: string;
  repositories: readonly CiRepository[];
}

export interface CiApp {
  readonly github: FakeGitHubServer;
  readonly model: FakeAnthropic;
  readonly deployment: Deployment;
  /** The test's own handle on the deployment's store. */
  readonly store: Store;
  /** The web process's port, where webhooks go. */
  readonly port: number;
  /** Each repository's bare remote, by name. */
  readonly bares: ReadonlyMap<string, string>;
  /** The pull request a run opened on `repo`. */
  pullOf(repo: string): ServedPull;
  /** Stops the deployment and the fakes, and removes the temp directory. */
  close(): Promise<void>;
}

/** Starts the fakes, the repositories and the deployment; what started is stopped again when a later part fails. */
export async function startCiApp(options: CiAppOptions): Promise<CiApp> {
  const work = await tempDir(options.prefix);
  let github: FakeGitHubServer | undefined;
  let model: FakeAnthropic | undefined;
  const close = async (deployment?: Deployment) => {
    await deployment?.close();
    await model?.close();
    await github?.close();
    await removeDir(work);
  };
  try {
    github = await startFakeGitHubServer();
    model = await startFakeAnthropic({ prefixDelayMs: 1 });
    handleModel(model);
    const bares = new Map<string, string>();
    for (const [repo, ci, extra] of options.repositories) bares.set(repo, await addCiRepository(github, work, repo, ci, extra));
    const deployment = await startDeployment({ shape: options.shape, github, model, work, workers: options.workers, env: options.env });
    const served = github;
    return {
      github,
      model,
      deployment,
      store: deployment.store,
      port: deployment.port,
      bares,
      pullOf: (repo) => served.pulls.find((pull) => pull.repo === `${OWNER}/${repo}`)!,
      close: () => close(deployment),
    };
  } catch (error) {
    await close();
    throw error;
  }
}
