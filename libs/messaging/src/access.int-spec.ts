import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { deadLetterTopic, eventsTopic } from '@dealledger/events';
import { uniqueName } from '@dealledger/testing';
import { applyLedgerAccess, createKafka, kafkaBrokers, kafkaSasl } from '@dealledger/messaging';

/** What stopped a client: the broker's error code where there is one (kafkajs wraps some). */
const kind = (err: unknown): string => {
  const e = err as { type?: string; cause?: { type?: string }; name?: string };
  return e.type ?? e.cause?.type ?? e.name ?? String(err);
};

/** A client of `principal` that gives up soon: authorization failures are final anyway. */
const as = (principal: string, sasl = kafkaSasl(principal)) =>
  new Kafka({
    clientId: `access-test-${principal}`,
    brokers: kafkaBrokers(),
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
    connectionTimeout: 3000,
  });

async function produce(kafka: Kafka, topic: string): Promise<string> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `probe ${randomUUID()}` }] });
    return 'ok';
  } catch (err) {
    return kind(err);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Reads one message of `topic` in `group`, or the error that stopped it. */
async function consume(kafka: Kafka, topic: string, group: string): Promise<string> {
  const consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false, retry: { retries: 5, restartOnFailure: async () => false } });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('nothing read'), 20000);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        clearTimeout(timer);
        resolve(kind(payload.error));
      });
      consumer
        .run({
          eachMessage: async () => {
            clearTimeout(timer);
            resolve('ok');
          },
        })
        .catch((err) => resolve(kind(err)));
    });
  } catch (err) {
    return kind(err);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

describe("Kafka access: the project's broker authenticates everyone and each app gets only its grants (real Kafka)", () => {
  const prefix = uniqueName('acl');
  const topic = (context: string) => eventsTopic(context, prefix);

  beforeAll(async () => {
    expect(await applyLedgerAccess(createKafka('access-test', kafkaBrokers(), 'operator'), prefix)).toEqual({ topics: 15, grants: 70 });
  });

  it('refuses a client without credentials and one with a wrong password', async () => {
    expect(await produce(as('anonymous', undefined), topic('offers'))).not.toBe('ok');
    expect(await produce(as('offers', { mechanism: 'scram-sha-512', username: 'offers', password: 'guessed' }), topic('offers'))).toBe(
      'KafkaJSSASLAuthenticationError',
    );
  });

  it('lets an app write its own topic only', async () => {
    expect(await produce(as('offers'), topic('offers'))).toBe('ok');
    for (const other of ['resale', 'contracts', 'relationships', 'directory']) {
      expect([other, await produce(as(other), topic('offers'))]).toEqual([other, 'TOPIC_AUTHORIZATION_FAILED']);
    }
    // Not even the dead letters of a topic it does not consume.
    expect(await produce(as('resale'), deadLetterTopic(topic('offers')))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce(as('contracts'), deadLetterTopic(topic('offers')))).toBe('ok');
  });

  it('lets an app read what it consumes, in its own consumer group, and nothing else', async () => {
    // Something to read on the topics that have nothing yet.
    for (const own of ['accounts', 'contracts']) expect(await produce(as(own), topic(own))).toBe('ok');
    expect(await consume(as('contracts'), topic('offers'), `${prefix}.contracts`)).toBe('ok');
    expect(await consume(as('resale'), topic('offers'), `${prefix}.resale`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // The broker answers GROUP_AUTHORIZATION_FAILED to the coordinator lookup; kafkajs reports
    // that as no coordinator found (the same group coordinator served the line above).
    expect(await consume(as('contracts'), topic('offers'), `${prefix}.resale`)).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(await consume(as('relationships'), topic('offers'), `${prefix}.relationships.rebuild.1.x.0`)).toBe('ok');
    // A seller's account plans are read by the read side alone (which shows the seller its own
    // touches); the accounts app reads the deals and the directory only.
    expect(await consume(as('relationships'), topic('accounts'), `${prefix}.relationships`)).toBe('ok');
    expect(await consume(as('contracts'), topic('accounts'), `${prefix}.contracts`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await consume(as('accounts'), topic('contracts'), `${prefix}.accounts`)).toBe('ok');
    expect(await consume(as('accounts'), topic('resale'), `${prefix}.accounts`)).toBe('TOPIC_AUTHORIZATION_FAILED');
  });
});
