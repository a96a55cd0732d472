import { randomBytes } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { assertIdentifier, type Checkpoint, EVENT_COLUMNS, previousHashColumn, type RecordedEvent, START, toRecordedEvent } from '@dealledger/event-store';
import { Headers } from '@dealledger/events';
import { headerString, toEnvelope, toKafkaMessage } from './envelope';
import { ensureTopics } from './topics';
import { partitionCount, sendPerPartition } from './kafka';

/*
 * Finds events a relay never sent and sends them. The rule: an event is missing when it is at
 * or before the relay's saved checkpoint in commit order and its id is not on the topic. The
 * relay saves a checkpoint only after the broker acknowledged (acks -1) everything up to it, and
 * the checkpoint is read before the topic's end offsets: so everything it did publish up to
 * there lies below those offsets, and what is absent was skipped for good. Events after the
 * checkpoint are the live relay's to publish; they are counted but never called missing, so
 * running this beside a live relay publishes nothing twice on its account.
 */

export interface FindUnpublishedOptions {
  kafka: Kafka;
  dataSource: DataSource;
  schema: string;
  topic: string;
  /** The relay's checkpoint name; `relay:<topic>` as OutboxRelay names it by default. */
  checkpointName?: string;
  /** Give up when the topic scan makes no progress for this long. */
  scanIdleTimeoutMs?: number;
}

export interface UnpublishedReport {
  /** Every event in the store. */
  stored: number;
  /** The relay's saved checkpoint (START when it never saved one: then nothing counts as missing). */
  checkpoint: Checkpoint;
  /** Events stored after the checkpoint: left to the live relay. */
  afterCheckpoint: number;
  /** Distinct event ids on the topic, below the end offsets read at the start. */
  onTopic: number;
  /** Messages read (a redelivered event counts each time). */
  messagesOnTopic: number;
  /** Messages whose event id could be read neither from the header nor from the value. */
  unreadable: number;
  /** At or before the checkpoint, not on the topic; in commit order. */
  missing: RecordedEvent[];
}

export interface RepublishOptions extends FindUnpublishedOptions {
  producer: Producer;
  /** The envelope's `context`, as the relay of this store sets it. */
  context: string;
  dryRun?: boolean;
  batchSize?: number;
}

export interface RepublishReport extends UnpublishedReport {
  /** How many of `missing` were sent (0 on a dry run). */
  published: number;
}

export async function findUnpublished(options: FindUnpublishedOptions): Promise<UnpublishedReport> {
  const { kafka, dataSource, topic } = options;
  const s = `"${assertIdentifier(options.schema)}"`;
  const checkpoint = await readCheckpoint(dataSource, s, options.checkpointName ?? `relay:${topic}`);

  // Checkpoint first, end offsets second: see the rule at the top of this file.
  const scan = await scanEventIds(kafka, topic, options.scanIdleTimeoutMs ?? 60000);

  const counts = await dataSource.query(
    `SELECT count(*) AS stored,
            count(*) FILTER (WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)) AS after
       FROM ${s}.events`,
    [checkpoint.transactionId, checkpoint.position],
  );

  // Ids first, whole rows only for the few missing ones. Order and keyset on the table's
  // columns (xid8): the selected alias is text, and text order is not commit order.
  const missingIds: string[] = [];
  let after: Checkpoint = START;
  for (;;) {
    const rows: { event_id: string; transaction_id: string; position: string }[] = await dataSource.query(
      `SELECT events.event_id, events.transaction_id::text AS transaction_id, events.position
         FROM ${s}.events
        WHERE (events.transaction_id, events.position) > ($1::xid8, $2::bigint)
          AND (events.transaction_id, events.position) <= ($3::xid8, $4::bigint)
        ORDER BY events.transaction_id, events.position
        LIMIT 10000`,
      [after.transactionId, after.position, checkpoint.transactionId, checkpoint.position],
    );
    if (rows.length === 0) break;
    for (const r of rows) if (!scan.ids.has(r.event_id)) missingIds.push(r.event_id);
    const last = rows[rows.length - 1];
    after = { transactionId: last.transaction_id, position: Number(last.position) };
  }

  const missing: RecordedEvent[] = [];
  for (let i = 0; i < missingIds.length; i += 1000) {
    const rows = await dataSource.query(
      `SELECT ${EVENT_COLUMNS}, ${previousHashColumn(s)} FROM ${s}.events WHERE events.event_id = ANY($1::uuid[]) ORDER BY events.transaction_id, events.position`,
      [missingIds.slice(i, i + 1000)],
    );
    missing.push(...rows.map(toRecordedEvent));
  }

  return {
    stored: Number(counts[0].stored),
    checkpoint,
    afterCheckpoint: Number(counts[0].after),
    onTopic: scan.ids.size,
    messagesOnTopic: scan.messages,
    unreadable: scan.unreadable,
    missing,
  };
}

/**
 * Publishes what `findUnpublished` finds, in commit order, in the relay's message format.
 * A republished event lands after later events of its stream that are already on the topic.
 * Running it twice at once may send an event twice: consumers deduplicate by event id.
 */
export async function republish(options: RepublishOptions): Promise<RepublishReport> {
  const found = await findUnpublished(options);
  if (options.dryRun || found.missing.length === 0) return { ...found, published: 0 };
  await ensureTopics(options.kafka, [{ topic: options.topic }]);
  const partitions = await partitionCount(options.kafka, options.topic);
  const batchSize = options.batchSize ?? 500;
  let published = 0;
  for (let i = 0; i < found.missing.length; i += batchSize) {
    const batch = found.missing.slice(i, i + batchSize);
    // A partition per request, as the relay sends (see sendPerPartition).
    await sendPerPartition(
      options.producer,
      options.topic,
      partitions,
      batch.map((e) => toKafkaMessage(toEnvelope(e, options.context))),
    );
    published += batch.length;
  }
  return { ...found, published };
}

async function readCheckpoint(dataSource: DataSource, s: string, name: string): Promise<Checkpoint> {
  const rows = await dataSource.query(`SELECT transaction_id::text AS transaction_id, position FROM ${s}.outbox_checkpoints WHERE name = $1`, [name]);
  return rows[0] ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : START;
}

interface TopicScan {
  ids: Set<string>;
  messages: number;
  unreadable: number;
}

/**
 * Every event id on `topic` from the earliest offset to the end offsets read now, by a consumer
 * alone in a throwaway group (so it gets every partition and no rebalance moves them), deleted
 * afterwards. A missing topic reads as empty.
 */
async function scanEventIds(kafka: Kafka, topic: string, idleTimeoutMs: number, onMessage?: (value: Buffer | null) => void): Promise<TopicScan> {
  const scan: TopicScan = { ids: new Set(), messages: 0, unreadable: 0 };
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `republish.${topic}.${randomBytes(4).toString('hex')}`;
  let joined = false;
  try {
    if (!(await admin.listTopics()).includes(topic)) return scan;
    const remaining = new Map<number, number>();
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (Number(p.high) > Number(p.low)) remaining.set(p.partition, Number(p.high));
    }
    if (remaining.size === 0) return scan;

    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024 });
    joined = true;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        let idle: NodeJS.Timeout;
        const stillWaiting = () => {
          clearTimeout(idle);
          idle = setTimeout(
            () =>
              reject(
                new Error(`scanning ${topic} made no progress for ${idleTimeoutMs} ms; partitions not read to their end: ${[...remaining.keys()].join(', ')}`),
              ),
            idleTimeoutMs,
          );
        };
        stillWaiting();
        // Done per partition when a batch reaches the end offset. Tracked on the batch event,
        // which also fires for batches of only control records (eachBatch does not see those).
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const end = remaining.get(payload.partition);
          if (end === undefined || payload.topic !== topic) return;
          stillWaiting();
          if (Number(payload.lastOffset) + 1 >= end) {
            remaining.delete(payload.partition);
            consumer.pause([{ topic, partitions: [payload.partition] }]);
            if (remaining.size === 0) {
              clearTimeout(idle);
              resolve();
            }
          }
        });
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = remaining.get(batch.partition);
              if (end === undefined) return;
              for (const m of batch.messages) {
                if (Number(m.offset) >= end) break;
                scan.messages += 1;
                onMessage?.(m.value);
                const id = headerString(m.headers, Headers.eventId) ?? idFromValue(m.value);
                if (id) scan.ids.add(id);
                else scan.unreadable += 1;
              }
            },
          })
          .catch((err) => {
            clearTimeout(idle);
            reject(err);
          });
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    if (joined) await deleteGroup(admin, groupId);
    await admin.disconnect();
  }
  return scan;
}

function idFromValue(value: Buffer | null): string | undefined {
  try {
    const envelope = JSON.parse(value?.toString('utf8') ?? '');
    return typeof envelope?.id === 'string' ? envelope.id : undefined;
  } catch {
    return undefined;
  }
}

/** The group may not exist (nothing read) or still be leaving: a few tries, then let it be. */
async function deleteGroup(admin: Admin, groupId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await admin.deleteGroups([groupId]);
      return;
    } catch (err) {
      const text = JSON.stringify((err as { groups?: unknown }).groups ?? String(err));
      if (/GROUP_ID_NOT_FOUND|does not exist/i.test(text)) return;
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
}

export interface AnchorFinding {
  eventId: string;
  streamId: string;
  streamVersion: number;
  reason: string;
}

export interface AnchorReport {
  /** Distinct events read from the topic. */
  onTopic: number;
  /** Published events the store no longer holds, or holds otherwise than published. */
  findings: AnchorFinding[];
}

/**
 * The topic as the anchor of the store: every event the relay published was acknowledged with
 * its hash, and the topic is retained for ever, in another system with other credentials. An
 * event on the topic that the store lacks was deleted (a cut tail passes the store's own chain
 * check: no link breaks); one the store holds with another hash was rewritten, with its
 * successors, consistently. Only what was published is anchored: the seconds-old tail the relay
 * has not sent yet is not.
 */
export async function verifyAgainstTopic(options: {
  kafka: Kafka;
  dataSource: DataSource;
  schema: string;
  topic: string;
  scanIdleTimeoutMs?: number;
}): Promise<AnchorReport> {
  const s = `"${assertIdentifier(options.schema)}"`;
  // The first copy of each event anchors it: a relay re-send is identical, and a later copy with
  // another hash (written by whoever holds the app's credentials, to cover a rewrite) is a finding.
  const published = new Map<string, { streamId: string; streamVersion: number; hash: string }>();
  const findings: AnchorFinding[] = [];
  await scanEventIds(options.kafka, options.topic, options.scanIdleTimeoutMs ?? 60000, (value) => {
    try {
      const e = JSON.parse(value?.toString('utf8') ?? '');
      if (typeof e?.id !== 'string' || typeof e.hash !== 'string') return;
      const first = published.get(e.id);
      if (!first) published.set(e.id, { streamId: String(e.streamId), streamVersion: Number(e.streamVersion), hash: e.hash });
      else if (first.hash !== e.hash)
        findings.push({ eventId: e.id, ...pick(first), reason: 'published again later with another hash (the topic was written to after the fact)' });
    } catch {
      /* unreadable messages are the consumers' dead letters, not the store's */
    }
  });
  const ids = [...published.keys()];
  for (let i = 0; i < ids.length; i += 5000) {
    const batch = ids.slice(i, i + 5000);
    const rows: { event_id: string; hash: string }[] = await options.dataSource.query(
      `SELECT event_id, encode(hash, 'hex') AS hash FROM ${s}.events WHERE event_id = ANY($1::uuid[])`,
      [batch],
    );
    const stored = new Map(rows.map((r) => [r.event_id, r.hash]));
    for (const id of batch) {
      const p = published.get(id)!;
      const hash = stored.get(id);
      if (hash === undefined) findings.push({ eventId: id, ...pick(p), reason: 'published, but no longer in the store (deleted, or the stream was cut back)' });
      else if (hash !== p.hash) findings.push({ eventId: id, ...pick(p), reason: 'in the store with another hash than published (rewritten)' });
    }
  }
  findings.sort((a, b) => a.streamId.localeCompare(b.streamId) || a.streamVersion - b.streamVersion);
  return { onTopic: published.size, findings };
}

const pick = (p: { streamId: string; streamVersion: number }) => ({ streamId: p.streamId, streamVersion: p.streamVersion });
