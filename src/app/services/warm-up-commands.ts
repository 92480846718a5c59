/**
 * Runs once, when a process starts, the code every command goes through
 * first, so that the first command after a start does not compile it on its
 * way: reading the command in the comment, checking a repository config, and
 * the HTTP client of GitHub's and the model's calls (Node loads it on the
 * first `fetch`; a `data:` URL needs no network). Never rejects; resolves with
 * whether the command and the config read as they should.
 */
import { parseCommand } from "../../commands/parse-command.js";
import { loadRepoConfig } from "../../config/load-repo-config.js";

export async function warmUpCommands(): Promise<boolean> {
  let read = false;
  try {
    const command = parseCommand('/dynflow run migrate {"task": "warm up", "by": "module"}');
    const config = await loadRepoConfig({ config: async <T>() => ({ enabled: true }) as T });
    read = command.kind === "command" && command.verb === "run" && config.ok;
  } catch {
    read = false;
  }
  const fetched = await fetch("data:,ok").then((response) => response.text(), () => "");
  return read && fetched === "ok";
}
