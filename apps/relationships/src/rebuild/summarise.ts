import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { emptyTally, Tally, tallyAsSeenBy } from '../history/summary';
import { Db, timelineRowEvent } from '../projection/rows';
import { copyJson, copyText } from './copy-text';
import { storedSummary, storedTally } from '../projection/summaries';
import { splitTally } from '../history/tally-parts';

/** Pairs whose first company is in [from, to) (null: unbounded). */
export interface PairRange {
  from: string | null;
  to: string | null;
}

/** Timeline rows fetched at a time. */
const FETCH = 5000;

/**
 * Up to `n` ranges of pairs of about equal numbers of timeline rows, cut where a sample of the
 * rows puts the quantiles of the first company.
 */
export async function pairRanges(db: Db, schema: string, gen: number, n: number): Promise<PairRange[]> {
  if (n <= 1) return [{ from: null, to: null }];
  const quantiles = Array.from({ length: n - 1 }, (_, i) => (i + 1) / n);
  const cutsOf = async (rows: string) =>
    ((await db.query(`SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY company_a) AS cuts FROM (${rows}) s`, [quantiles]))[0].cuts ?? []).filter(
      (c: string | null) => c !== null,
    ) as string[];
  const t = `"${schema}".timeline_g${gen}`;
  // A sample of the pages; a table too small for it to find any is read whole.
  let cuts = await cutsOf(`SELECT company_a FROM ${t} TABLESAMPLE SYSTEM (5)`);
  if (cuts.length === 0) cuts = await cutsOf(`SELECT company_a FROM ${t}`);
  // Ascending quantiles give ascending cuts; a repeated one would make an empty range.
  const bounds = [...new Set(cuts)];
  return [null, ...bounds].map((from, i) => ({ from, to: bounds[i] ?? null }));
}

/**
 * The summaries of a generation a rebuild is filling, for the pairs of `range`, from the
 * timeline its replay wrote: each pair's rows in each stream's order (a context's positions: a
 * stream's appends are serialised, so they rise with its versions, whatever the clock does; a
 * tally depends on no order across streams, as the live consumer's arrival order shows), folded
 * one pair at a time, and each summary row written once, with COPY. Written per fetched
 * batch with the timeline rows (as the live consumer does), a pair's rows were rewritten once
 * for every topic its events came from, each time a tally of about a kilobyte parsed and
 * stored whole: most of the rebuild's time.
 *
 * Rows the live consumer wrote meanwhile are left out: their summaries are in what it keeps
 * aside (`deferred_g<N>`), which `drainDeferred` applies afterwards. One snapshot for both,
 * so each such row is counted by exactly one of them. Nobody else writes the generation's
 * summaries until then.
 */
export async function summariseRange(client: ClientBase, schema: string, gen: number, range: PairRange): Promise<number> {
  const s = `"${schema}"`;
  let written = 0;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    // A rebuild can always be run again: its writes need not wait for the WAL flush.
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query(
      `DECLARE pairs NO SCROLL CURSOR FOR
       WITH kept_aside AS MATERIALIZED (
         SELECT x.company_a, x.company_b, x.event_id FROM ${s}.deferred_g${gen} d,
           jsonb_to_recordset(d.inserted) AS x(company_a text, company_b text, event_id text))
       SELECT company_a, company_b, event_id, context, type, stream_id, position, occurred_at, recorded_at, parties, data
         FROM ${s}.timeline_g${gen} t
        WHERE ($1::text IS NULL OR company_a >= $1) AND ($2::text IS NULL OR company_a < $2)
          AND NOT EXISTS (SELECT 1 FROM kept_aside k WHERE k.company_a = t.company_a AND k.company_b = t.company_b AND k.event_id = t.event_id)
        ORDER BY company_a, company_b, context, position`,
      [range.from, range.to],
    );
    let pair: { a: string; b: string; tallies: Tally[] } | null = null;
    const lines: string[] = [];
    const memberLines: string[] = [];
    const emit = ({ a, b, tallies }: { a: string; b: string; tallies: Tally[] }) => {
      for (const [i, tally] of tallies.entries()) {
        const lastActivity = tally.lastActivity === null ? '\\N' : copyText(tally.lastActivity);
        const viewer = copyText(i === 0 ? a : b);
        // As the live consumer keeps it: the counts in the row, the sets' members apart.
        const { counts, members } = splitTally(tally);
        lines.push(
          `${copyText(a)}\t${copyText(b)}\t${viewer}\t${copyJson(storedTally(counts))}\t${copyJson(storedSummary(counts))}\t${lastActivity}\t${tally.events}\n`,
        );
        for (const [entity, m] of members) memberLines.push(`${copyText(a)}\t${copyText(b)}\t${viewer}\t${copyText(entity)}\t${copyJson(JSON.stringify(m))}\n`);
      }
    };
    for (;;) {
      const { rows } = await client.query(`FETCH ${FETCH} FROM pairs`);
      for (const r of rows) {
        if (!pair || r.company_a !== pair.a || r.company_b !== pair.b) {
          if (pair) emit(pair);
          // One viewer if a pair ever named one company twice (its key holds the viewer once).
          pair = { a: r.company_a, b: r.company_b, tallies: r.company_a === r.company_b ? [emptyTally()] : [emptyTally(), emptyTally()] };
        }
        const event = timelineRowEvent(r);
        const { a, b } = pair;
        pair.tallies.forEach((t, i) => tallyAsSeenBy(t, event, i === 0 ? a : b, [a, b]));
      }
      if (rows.length < FETCH && pair) emit(pair);
      if (lines.length > 0) {
        await pipeline(
          Readable.from([lines.join('')]),
          client.query(copyFrom(`COPY ${s}.summaries_g${gen} (company_a, company_b, viewer, tally, summary, last_activity, events) FROM STDIN`)),
        );
        written += lines.length;
        lines.length = 0;
      }
      if (memberLines.length > 0) {
        await pipeline(
          Readable.from([memberLines.join('')]),
          client.query(copyFrom(`COPY ${s}.summary_members_g${gen} (company_a, company_b, viewer, entity, members) FROM STDIN`)),
        );
        memberLines.length = 0;
      }
      if (rows.length < FETCH) break;
    }
    await client.query('CLOSE pairs');
    await client.query('COMMIT');
    return written;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
