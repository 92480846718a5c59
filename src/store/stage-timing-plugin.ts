/**
 * Times every query of the store as the `store` stage (src/timing/), for
 * benchmarks: installed only when a stage timer is, so a store opened
 * without one runs no plugin at all.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { startStage } from "../timing/stage-timer.js";

export class StageTimingPlugin implements KyselyPlugin {
  // A query that fails never reaches transformResult; its entry is dropped with the map's key.
  private readonly pending = new WeakMap<QueryId, () => void>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.pending.set(args.queryId, startStage("store"));
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.pending.get(args.queryId)?.();
    this.pending.delete(args.queryId);
    return Promise.resolve(args.result);
  }
}
