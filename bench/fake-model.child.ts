/**
 * The migration benchmarks' scripted model in a process of its own, so its
 * CPU is not counted as dynflow's. Prints its URL on the first line of
 * stdout; then, on every line read from stdin, the number of requests it
 * answered so far; exits when stdin closes.
 */
import { startFakeAnthropic } from "../test/fakes/fake-anthropic.js";
import { migrationModel } from "./migration-fixture.js";

const model = await startFakeAnthropic({ prefixDelayMs: 0, handler: migrationModel });
process.stdout.write(`${model.url}\n`);
process.stdin.setEncoding("utf8");
process.stdin.on("data", () => process.stdout.write(`${model.requests.length}\n`));
process.stdin.on("end", () => void model.close().then(() => process.exit(0)));
