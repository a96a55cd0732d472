import { createHash } from 'node:crypto';
import { DataSource, MigrationInterface } from 'typeorm';
import { assertIdentifier } from './migrations';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface DatabaseOptions {
  url?: string;
  /** The app's own schema; every table it owns lives there. */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
  applicationName?: string;
}

/**
 * Opens a DataSource on the app's schema, creates the schema if needed and runs its
 * migrations (never `synchronize`). Schema creation is guarded by an advisory lock so that
 * two instances starting together do not race.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const schema = assertIdentifier(options.schema);
  const url = options.url ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    schema,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: options.applicationName ?? `dealledger-${schema}`,
    extra: { max: options.poolSize ?? Number(process.env.DATABASE_POOL_SIZE ?? 20) },
  });
  await dataSource.initialize();
  // A client whose server went away (a restart) says so with an 'error' event. TypeORM listens
  // only while a query runner holds the client, and an 'error' without a listener ends the
  // process; the queries on that client fail on their own and their callers retry them.
  const pool = (dataSource.driver as unknown as { master?: import('node:events').EventEmitter & { _clients?: import('node:events').EventEmitter[] } }).master;
  const listen = (client: import('node:events').EventEmitter) => {
    client.on('error', () => undefined);
    if (process.env.DATABASE_PREPARE !== '0') prepareRepeatedStatements(client as unknown as PgClient);
  };
  // Clients opened during initialize() are there already; later ones are announced by 'connect'.
  for (const client of pool?._clients ?? []) listen(client);
  pool?.on('connect', listen);
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`migrate:${schema}`]);
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`migrate:${schema}`]).catch(() => undefined);
      await runner.release();
    }
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    throw err;
  }
  return dataSource;
}

interface PgClient {
  query: (...args: unknown[]) => unknown;
  connection?: { parsedStatements?: Record<string, string> };
}

/** Named statements one connection keeps at most; past that, new texts run unnamed. */
const PREPARED_PER_CONNECTION = 100;

/**
 * The ORM sends every query unnamed, so PostgreSQL parses and plans each one again, and that
 * was most of what the server spent on a command. A query with parameters that this
 * connection has run before is sent as a named statement instead (named by its text's hash,
 * so equal texts share one): parsed once per connection, then only bound and executed.
 * Statements without parameters (BEGIN, COMMIT, DDL) stay on the simple protocol.
 */
export function prepareRepeatedStatements(client: PgClient): void {
  const query = client.query;
  const seen = new Set<string>();
  /**
   * Texts never to name again on this connection: their statement failed in a way a named one
   * keeps failing (a table's columns changed under it: "cached plan must not change result
   * type"; or pg closed it after a value could not be sent, but still counts it as parsed).
   */
  const unnamed = new Set<string>();
  const named = (self: unknown, name: string, text: string, values: unknown[]) =>
    (query.call(self, { name, text, values }) as Promise<unknown>).catch((err: { code?: string; severity?: string }) => {
      if ((err.code === '0A000' || err.code === '26000' || !err.severity) && unnamed.size < 10 * PREPARED_PER_CONNECTION) unnamed.add(text);
      throw err;
    });
  client.query = function (this: unknown, config: unknown, values?: unknown, ...rest: unknown[]) {
    // Only the promise form, as the ORM calls it (a callback or a stream object passes through).
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && rest.length === 0 && !unnamed.has(config)) {
      const parsed = client.connection?.parsedStatements ?? {};
      const name = `dl_${createHash('sha1').update(config).digest('base64url')}`;
      if (parsed[name] !== undefined) return named(this, name, config, values);
      if (seen.has(config) && Object.keys(parsed).length < PREPARED_PER_CONNECTION) {
        seen.delete(config);
        return named(this, name, config, values);
      }
      // The first time, unnamed: a text run once (a one-off query) costs nothing more.
      if (seen.size < 10 * PREPARED_PER_CONNECTION) seen.add(config);
    }
    return query.call(this, config, values, ...rest);
  } as PgClient['query'];
}
