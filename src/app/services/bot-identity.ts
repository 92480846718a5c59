/**
 * Who the app's commits are by: its bot account, `<slug>[bot]`, with the
 * noreply address GitHub links to that account,
 * `<bot-user-id>+<slug>[bot]@users.noreply.<host>`. The bot's user id is
 * asked of GitHub once and remembered.
 */
import type { Logger } from "pino";
import { requestFailure, type GitHubClient } from "../../github/github-client.js";
import { DEFAULT_AUTHOR } from "../../run/run-workflow.js";
import type { CommitIdentity } from "../../workspace/index.js";

/** The login of the app's bot account. */
export function botLoginOf(slug: string): string {
  return `${slug}[bot]`;
}

/** The commit identity of the bot; without its user id the address is still GitHub's noreply domain. */
export function botIdentityOf(slug: string, userId: number | null, host: string): CommitIdentity {
  const login = botLoginOf(slug);
  return { name: login, email: `${userId === null ? "" : `${userId}+`}${login}@users.noreply.${host}` };
}

export interface BotIdentityResolverOptions {
  appSlug: () => Promise<string | undefined>;
  /** `github.com`, or the GitHub Enterprise Server host. */
  host: string;
  log?: Logger;
}

/** Returns a function resolving the identity; a failed lookup is logged and tried again next time. */
export function createBotIdentityResolver(options: BotIdentityResolverOptions): (github: GitHubClient) => Promise<CommitIdentity> {
  let known: CommitIdentity | undefined;
  return async (github) => {
    if (known !== undefined) return known;
    const slug = await options.appSlug();
    if (slug === undefined) return DEFAULT_AUTHOR;
    try {
      const { data } = await github.rest.users.getByUsername({ username: botLoginOf(slug) });
      known = botIdentityOf(slug, data.id, options.host);
      return known;
    } catch (error) {
      options.log?.warn(requestFailure(error), "could not look up the app's bot user; commits go without its user id this time");
      return botIdentityOf(slug, null, options.host);
    }
  };
}
