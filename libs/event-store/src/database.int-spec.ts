import type { DataSource, QueryRunner } from 'typeorm';
import { dropSchema, openTestDatabase, uniqueName } from '@dealledger/testing';

describe('openDatabase: repeated statements are prepared (real PostgreSQL)', () => {
  const schema = uniqueName('prep');
  let db: DataSource;
  let runner: QueryRunner;
  /** This connection's named statements for a text (pg_prepared_statements is per session). */
  const prepared = async (text: string) =>
    (await runner.query(`SELECT name FROM pg_prepared_statements WHERE statement = $1`, [text])).map((r: { name: string }) => r.name);

  beforeAll(async () => {
    db = await openTestDatabase(schema);
    await db.query(`CREATE TABLE "${schema}".things (id integer PRIMARY KEY, name text)`);
    await db.query(`INSERT INTO "${schema}".things SELECT g, 'thing ' || g FROM generate_series(1, 10) g`);
    runner = db.createQueryRunner();
    await runner.connect();
  });
  afterAll(async () => {
    await runner.release();
    await dropSchema(db, schema);
  });

  it('runs a text unnamed the first time, then as one named statement, with the same answers', async () => {
    const text = `SELECT name FROM "${schema}".things WHERE id = $1`;
    expect(await runner.query(text, [3])).toEqual([{ name: 'thing 3' }]);
    expect(await prepared(text)).toEqual([]);
    expect(await runner.query(text, [4])).toEqual([{ name: 'thing 4' }]);
    const names = await prepared(text);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^dl_/);
    expect(await runner.query(text, [5])).toEqual([{ name: 'thing 5' }]);
    expect(await prepared(text)).toEqual(names);
  });

  it('leaves statements without parameters unnamed, and errors as they were', async () => {
    const text = `SELECT count(*)::int AS n FROM "${schema}".things`;
    for (let i = 0; i < 3; i++) expect(await runner.query(text)).toEqual([{ n: 10 }]);
    expect(await prepared(text)).toEqual([]);
    const failing = `SELECT 1 / $1::int AS x`;
    for (let i = 0; i < 3; i++) await expect(runner.query(failing, [0])).rejects.toThrow(/division by zero/);
    expect(await runner.query(failing, [1])).toEqual([{ x: 1 }]);
  });

  it('works inside transactions, a rolled-back one included', async () => {
    const text = `UPDATE "${schema}".things SET name = $2 WHERE id = $1`;
    await runner.startTransaction();
    await runner.query(text, [1, 'changed']);
    await runner.query(text, [2, 'changed']);
    await runner.rollbackTransaction();
    expect(await runner.query(`SELECT count(*)::int AS n FROM "${schema}".things WHERE name = $1`, ['changed'])).toEqual([{ n: 0 }]);
    await runner.startTransaction();
    await runner.query(text, [1, 'changed']);
    await runner.commitTransaction();
    expect(await runner.query(`SELECT count(*)::int AS n FROM "${schema}".things WHERE name = $1`, ['changed'])).toEqual([{ n: 1 }]);
  });

  it('keeps at most a bounded number of named statements on a connection', async () => {
    for (let i = 0; i < 130; i++) {
      const text = `SELECT $1::int + ${i} AS n`;
      await runner.query(text, [1]);
      expect(await runner.query(text, [1])).toEqual([{ n: 1 + i }]);
    }
    const [{ n }] = await runner.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'dl\\_%'`);
    expect(n).toBeLessThanOrEqual(100);
    expect(n).toBeGreaterThan(50);
  });

  it('goes back to unnamed for a text whose table changed under its named statement', async () => {
    // Its own connection: the one above has used up its named statements.
    const fresh = db.createQueryRunner();
    await fresh.connect();
    const text = `SELECT * FROM "${schema}".things WHERE id = $1`;
    await fresh.query(text, [7]);
    await fresh.query(text, [7]);
    expect(await fresh.query(`SELECT name FROM pg_prepared_statements WHERE statement = $1`, [text])).toHaveLength(1);
    await db.query(`ALTER TABLE "${schema}".things ADD COLUMN extra text`);
    // PostgreSQL refuses the old statement once; the text is then sent unnamed, and works.
    try {
      await expect(fresh.query(text, [7])).rejects.toThrow(/cached plan must not change result type/);
      expect(await fresh.query(text, [7])).toEqual([{ id: 7, name: 'thing 7', extra: null }]);
      expect(await fresh.query(text, [8])).toEqual([{ id: 8, name: 'thing 8', extra: null }]);
    } finally {
      await fresh.release();
    }
  });
});
