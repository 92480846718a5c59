/**
 * Queries the store runs many times per run (a journal entry, a batch of
 * events), built and compiled by Kysely once and then run with each call's
 * values: building and compiling a query costs more than SQLite takes to run
 * most of the store's.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from "kysely";
import { startStage } from "../timing/stage-timer.js";
import type { Database } from "./schema.js";

/** Stands for one value while the query is compiled; compiled parameters are placeholders. */
class Placeholder {
  constructor(readonly name: string) {}
}

/**
 * A query of the shape `build` gives, compiled at its first use and run with
 * the values of each call. `build` makes it with the database it is given
 * (the store's without its plugins, which would take the compiling for a
 * run) and gets the placeholder of each name from `value`, to use only as a
 * value of the query (never inlined, never looked at): the compiled query's
 * parameters are then placeholders, each replaced by the call's value of
 * that name.
 */
export function preparedQuery<Name extends string, Row>(
  db: Kysely<Database>,
  names: readonly Name[],
  build: (db: Kysely<Database>, value: (name: Name) => never) => Compilable<Row>,
): (values: Readonly<Record<Name, unknown>>) => Promise<QueryResult<Row>> {
  let compiled: { sql: string; order: readonly Name[] } | undefined;
  return async (values) => {
    if (compiled === undefined) {
      const placeholders = new Map(names.map((name) => [name, new Placeholder(name)]));
      const value = (name: Name): never => {
        const placeholder = placeholders.get(name);
        if (placeholder === undefined) throw new TypeError(`a prepared query uses a value it does not name: ${name}`);
        return placeholder as never;
      };
      const query = build(db.withoutPlugins(), value).compile();
      const order = query.parameters.map((parameter) => {
        if (!(parameter instanceof Placeholder)) throw new TypeError(`a prepared query has a parameter that is not one of its values: ${String(parameter)}`);
        return parameter.name as Name;
      });
      compiled = { sql: query.sql, order };
    }
    const { sql, order } = compiled;
    // Timed as the store's other queries are (stage-timing-plugin.ts), which a compiled query does not pass through.
    const done = startStage("store");
    try {
      return await db.executeQuery(CompiledQuery.raw(sql, order.map((name) => values[name])) as CompiledQuery<Row>);
    } finally {
      done();
    }
  };
}
