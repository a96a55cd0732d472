import { createHash } from 'node:crypto';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { EventCatalog, EventDefinition } from './catalog';
import { EventEnvelope, Headers } from './envelope';
import { CONTEXTS, deadLetterTopic, eventsTopic } from './topics';

// class-transformer keeps the @Type() targets of nested classes only in this storage, which its
// package entry does not export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

export type JsonSchema = { [keyword: string]: unknown };
type Class = new (...args: any[]) => object;
/** An AsyncAPI 3.0.0 document, as plain JSON. */
export type AsyncApiDocument = { asyncapi: '3.0.0'; [field: string]: unknown };

export interface AsyncApiOptions {
  /** `info.version`: the ledger's release (package.json). */
  version: string;
  /** As TOPIC_PREFIX; the committed document uses the default, `dealledger`. */
  topicPrefix?: string;
}

const DEFAULT_TOPIC_PREFIX = 'dealledger';
const KAFKA_BINDING = '0.5.0';
const REF = '#/$defs/';

/** `OfferAccepted.v1`: one message per event type and version. */
export function messageId(def: Pick<EventDefinition, 'type' | 'schemaVersion'>): string {
  return `${def.type}.v${def.schemaVersion}`;
}

/**
 * JSON Schema of an event's `data`, read from the class-validator decorators of its class.
 * Nested classes (@ValidateNested + @Type) are inlined, so the schema stands alone and its
 * fingerprint changes when a nested class does. Optional fields are not required and may be
 * null, as class-validator's @IsOptional accepts.
 */
export function eventDataSchema(schema: new () => object): JsonSchema {
  return typeFirst(classSchema(schema, []));
}

/** `type` and `format` lead each schema, for the reader; the converter puts them anywhere. */
function typeFirst(node: any): any {
  if (Array.isArray(node)) return node.map(typeFirst);
  if (!node || typeof node !== 'object') return node;
  const { type, format, ...rest } = node;
  return {
    ...(type === undefined ? {} : { type }),
    ...(format === undefined ? {} : { format }),
    ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeFirst(v)])),
  };
}

function classSchema(target: Class, enclosing: Class[]): JsonSchema {
  const path = [...enclosing, target].map((c) => c.name).join(' > ');
  if (enclosing.includes(target)) throw new Error(`${path}: an event schema cannot contain itself`);
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  if (metadatas.length === 0) throw new Error(`${path} has no class-validator decorators: it cannot describe event data`);
  const inner = [...enclosing, target];
  // The converter leaves `$ref: <class name>` for each nested field; these are the classes behind the names.
  const nested = new Map<string, { type: Class; schema: () => JsonSchema }>();
  for (const meta of metadatas) {
    if (meta.type !== ValidationTypes.NESTED_VALIDATION) continue;
    const typeMeta = defaultMetadataStorage.findTypeMetadata(meta.target as Class, meta.propertyName);
    const type = typeMeta?.typeFunction() as Class | undefined;
    if (typeof type !== 'function') continue;
    // @Type(() => Fallback, { discriminator }): one of the subtypes, told apart by a property.
    const discriminator = typeMeta!.options?.discriminator;
    const schema = discriminator
      ? () => ({ oneOf: discriminator.subTypes.map((sub) => classSchema(sub.value as Class, inner)), discriminator: discriminator.property })
      : () => classSchema(type, inner);
    const other = nested.get(type.name);
    if (other && other.type !== type) throw new Error(`${path} nests two different classes named ${type.name}`);
    nested.set(type.name, { type, schema: other?.schema ?? schema });
  }
  const raw = targetConstructorToSchema(target, { classTransformerMetadataStorage: defaultMetadataStorage, refPointerPrefix: REF }) as JsonSchema;
  const inlined = mapRefs(raw, (name, at) => {
    const child = nested.get(name);
    if (!child) throw new Error(`${path}.${at}: @ValidateNested() needs @Type(() => TheNestedClass)`);
    return child.schema();
  });
  return objectSchema(inlined, declaredOrder(target, metadatas));
}

/** Replaces every `$ref` the converter left for a nested class by `resolve(className, property)`. */
function mapRefs(node: unknown, resolve: (name: string, property: string) => JsonSchema, property = ''): any {
  if (Array.isArray(node)) return node.map((n) => mapRefs(n, resolve, property));
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  let nested: string | undefined;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) nested = v.slice(REF.length);
    else if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, mapRefs(s, resolve, p)]));
    else out[k] = mapRefs(v, resolve, property);
  }
  return nested === undefined ? out : { ...resolve(nested, property), ...out };
}

/** Properties in declaration order, base class first, as a reader of the class expects. */
function declaredOrder(target: Class, metadatas: ValidationMetadata[]): string[] {
  const chain: Class[] = [];
  for (let c: Class | null = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  return [...new Set(chain.flatMap((c) => metadatas.filter((m) => m.target === c).map((m) => m.propertyName)))];
}

function objectSchema(schema: JsonSchema, order: string[]): JsonSchema {
  const { type: _type, properties: given, required: requiredGiven, ...rest } = schema;
  const properties = (given ?? {}) as Record<string, JsonSchema>;
  const required = (requiredGiven ?? []) as string[];
  const names = [...order.filter((n) => n in properties), ...Object.keys(properties).filter((n) => !order.includes(n))];
  return {
    type: 'object',
    ...rest,
    properties: Object.fromEntries(names.map((n) => [n, required.includes(n) ? properties[n] : orNull(properties[n]!)])),
    ...(required.length > 0 ? { required: names.filter((n) => required.includes(n)) } : {}),
  };
}

/** @IsOptional() lets null through as well as a missing field. */
function orNull(schema: JsonSchema): JsonSchema {
  const withNull = Array.isArray(schema.enum) && !schema.enum.includes(null) ? { ...schema, enum: [...schema.enum, null] } : schema;
  if (typeof schema.type === 'string') return { ...withNull, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? withNull : { ...withNull, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

const uuid = { type: 'string', format: 'uuid' };
const sha256 = '^[0-9a-f]{64}$';

/** Every envelope field, documented: a field added to EventEnvelope does not compile until it is here. */
const ENVELOPE: { [K in keyof EventEnvelope]-?: JsonSchema } = {
  id: { ...uuid, description: 'Event id (UUID). Consumers deduplicate on it.' },
  type: { type: 'string', description: 'Past-tense event type, e.g. `CompanyRegistered`.' },
  schemaVersion: { type: 'integer', minimum: 1, description: "Version of `data`'s schema for this type; older versions are upcast on read." },
  context: { type: 'string', description: 'The bounded context that recorded the event (`directory`, `offers`, ...).' },
  streamId: { type: 'string', description: 'Aggregate stream, `<streamType>-<uuid>`; also the Kafka message key.' },
  streamType: { type: 'string', description: "The aggregate's type, the stream id's prefix (`company`, `offer`, ...)." },
  streamVersion: { type: 'integer', minimum: 1, description: '1-based position of the event in its stream.' },
  position: { type: 'integer', minimum: 1, description: "Position in the recording context's log (unique per context, increasing)." },
  occurredAt: { type: 'string', format: 'date-time', description: 'When it happened (business time, ISO 8601).' },
  recordedAt: { type: 'string', format: 'date-time', description: 'When the ledger stored it (ISO 8601).' },
  parties: { type: 'array', items: uuid, description: 'Company ids the event concerns.' },
  actor: {
    type: ['object', 'null'],
    description: 'Who did it; null when the ledger itself did (a scheduler or a process manager).',
    properties: {
      companyId: { ...uuid, description: 'The acting company.' },
      personId: { type: ['string', 'null'], format: 'uuid', description: 'The acting person; null when the company acted through a company key.' },
    },
    required: ['companyId', 'personId'],
  },
  correlationId: {
    type: 'string',
    description: "Shared by the events of one request and everything that followed from them (the caller's X-Correlation-Id, else a UUID).",
  },
  causationId: {
    type: ['string', 'null'],
    description: 'What caused the event: the id of the event a consumer reacted to, or of the command.',
  },
  hash: { type: 'string', pattern: sha256, description: "Hex sha256 over the previous event's hash and this event's canonical form (see event-store)." },
  previousHash: {
    type: ['string', 'null'],
    pattern: sha256,
    description: "The hash of the stream's previous event (null for its first): consumers check the link.",
  },
  data: { type: 'object', description: 'The event itself, in the schema of `type` at `schemaVersion`.' },
};

/** Every Kafka header, documented; `deadLetter` ones are added when a message goes to `<topic>.dlq`. */
const HEADERS: { [K in keyof typeof Headers]: { description: string; deadLetter?: true } } = {
  eventId: { description: "The envelope's `id`." },
  eventType: { description: "The envelope's `type`." },
  schemaVersion: { description: "The envelope's `schemaVersion`, in decimal." },
  streamId: { description: "The envelope's `streamId` (also the message key)." },
  context: { description: "The envelope's `context`." },
  correlationId: { description: "The envelope's `correlationId`." },
  traceparent: {
    description: "W3C trace context: the relay's publishing span, else derived from the correlation id (trace) and the event id (span).",
  },
  dlqReason: {
    description: 'Why the consumer gave up: unparseable, failed its schema, or refused by the domain (at most 2,000 characters).',
    deadLetter: true,
  },
  dlqOriginalTopic: { description: 'The topic the message came from.', deadLetter: true },
  dlqOriginalPartition: { description: 'Its partition there, in decimal.', deadLetter: true },
  dlqOriginalOffset: { description: 'Its offset there.', deadLetter: true },
  dlqConsumerGroup: { description: 'The consumer group that gave up on it.', deadLetter: true },
  dlqFailedAt: { description: 'When it gave up (ISO 8601).', deadLetter: true },
};

function headerSchemas(): { events: JsonSchema; deadLetters: JsonSchema } {
  const entries = (Object.keys(HEADERS) as (keyof typeof Headers)[]).map((k) => ({ name: Headers[k], ...HEADERS[k] }));
  const props = (list: typeof entries) => Object.fromEntries(list.map((h) => [h.name, { type: 'string', description: h.description }]));
  const own = entries.filter((h) => !h.deadLetter);
  const dead = entries.filter((h) => h.deadLetter);
  return {
    events: { type: 'object', properties: props(own), required: own.map((h) => h.name) },
    deadLetters: {
      type: 'object',
      description: "The original message's headers, unchanged, and the dead-letter ones.",
      properties: { ...props(own), ...props(dead) },
      required: dead.map((h) => h.name),
    },
  };
}

const ref = (pointer: string) => ({ $ref: pointer });

/**
 * The ledger's event contract as an AsyncAPI 3.0.0 document, read from the catalog: one channel
 * per context topic and one for its dead letters, one message per event type and version (the
 * JSON envelope, its `data` in that version's schema), the Kafka headers and key, and the
 * publishing operation of each context's app. Pure: the same catalog gives the same document.
 */
export function asyncApiDocument(catalog: EventCatalog, options: AsyncApiOptions): AsyncApiDocument {
  const prefix = options.topicPrefix || DEFAULT_TOPIC_PREFIX;
  const definitions = catalog.list();
  const known = new Set<string>(CONTEXTS);
  const contexts = [
    ...CONTEXTS.filter((c) => definitions.some((d) => d.context === c)),
    ...[...new Set(definitions.map((d) => d.context))].filter((c) => !known.has(c)).sort(),
  ];
  const headers = headerSchemas();
  const schemas: Record<string, JsonSchema> = {
    EventEnvelope: {
      type: 'object',
      description: 'The JSON value of every message on a `<prefix>.<context>.events` topic. Field names are part of the contract; new fields may be added.',
      properties: ENVELOPE,
      required: Object.keys(ENVELOPE),
    },
    StreamId: { type: 'string', description: "The stream id, `<streamType>-<uuid>`: one stream's events share a partition and keep their order." },
    EventHeaders: headers.events,
    DeadLetterHeaders: headers.deadLetters,
  };
  const messages: Record<string, JsonSchema> = {
    DeadLetter: {
      name: 'DeadLetter',
      title: 'Dead letter',
      summary: 'A message of the topic that a consumer could not process, sent on unchanged with the reason.',
      description:
        "Key and value are the original message's, byte for byte: usually one of the topic's events, possibly unparseable (one reason to be here). " +
        "A dead letter is sent once per consumer group. To redrive it after a fix, delete its record in that consumer's inbox and send it back to its original topic: it is applied once.",
      headers: ref('#/components/schemas/DeadLetterHeaders'),
      payload: { description: 'The original message value, unchanged.' },
      bindings: { kafka: { key: { type: 'string', description: 'The original key (the stream id).' }, bindingVersion: KAFKA_BINDING } },
    },
  };
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};

  for (const context of contexts) {
    const topic = eventsTopic(context, prefix);
    const dlq = deadLetterTopic(topic);
    const own = definitions.filter((d) => d.context === context);
    for (const def of own) {
      schemas[`${messageId(def)}.data`] = eventDataSchema(def.schema);
      messages[messageId(def)] = eventMessage(def, catalog.latestVersion(def.type));
    }
    channels[context] = {
      address: topic,
      title: topic,
      description:
        `Events of the \`${context}\` context, published by its app in commit order, keyed by stream id so that one stream's events keep their order in one partition. ` +
        `The address is \`<TOPIC_PREFIX>.${context}.events\` (TOPIC_PREFIX: \`dealledger\` unless set, so that several ledgers or test runs can share a cluster). ` +
        'Retention is infinite: the topic is a history consumers can replay from the start.',
      messages: Object.fromEntries(own.map((d) => [messageId(d), ref(`#/components/messages/${messageId(d)}`)])),
      tags: [{ name: context }],
      bindings: { kafka: { topicConfiguration: { 'retention.ms': -1, 'retention.bytes': -1 }, bindingVersion: KAFKA_BINDING } },
    };
    channels[`${context}.dlq`] = {
      address: dlq,
      title: dlq,
      description: `Dead letters of \`${topic}\`: what its consumers could not parse, what failed its schema or was refused by the domain, with the reason in the headers.`,
      messages: { DeadLetter: ref('#/components/messages/DeadLetter') },
      tags: [{ name: context }],
      bindings: { kafka: { topicConfiguration: { 'retention.ms': -1, 'retention.bytes': -1 }, bindingVersion: KAFKA_BINDING } },
    };
    operations[`${context}.publish`] = {
      action: 'send',
      channel: ref(`#/channels/${context}`),
      title: `The ${context} app publishes its events`,
      description:
        `The outbox relay of the \`${context}\` app sends every event committed to its store, in commit order, at least once: consumers deduplicate on the event id. ` +
        "Only this app's Kafka principal may write the topic. Events go out as they were stored, old versions included: consumers upcast them.",
      messages: own.map((d) => ref(`#/channels/${context}/messages/${messageId(d)}`)),
      tags: [{ name: context }],
    };
    operations[`${context}.dead-letter`] = {
      action: 'send',
      channel: ref(`#/channels/${context}.dlq`),
      title: `A consumer of ${topic} sets a message aside`,
      description: 'A consumer sends a message it cannot process here, once, and goes on with the next one.',
      messages: [ref(`#/channels/${context}.dlq/messages/DeadLetter`)],
      tags: [{ name: context }],
    };
  }

  return {
    asyncapi: '3.0.0',
    id: 'urn:dealledger:events',
    info: {
      title: 'Deal Ledger events',
      version: options.version,
      description: [
        'Every event the ledger publishes, per type and schema version, generated from the event catalog (`libs/events`).',
        '',
        '- **Value**: a JSON envelope (`EventEnvelope`); its `data` follows the schema of `type` at `schemaVersion`.',
        "- **Key**: the stream id, so one stream's events keep their order in one partition.",
        '- **Headers**: the routing fields of the envelope, so a consumer can skip a message without parsing it.',
        '- **Delivery**: at least once, in commit order per context; consumers deduplicate on the event id.',
        '- **Versions**: an event type never changes within a version. A new version gets a new message here and an upcaster; events stored earlier keep their version on the topic, and consumers upcast them to the newest before handling.',
        `- **Topics**: \`<TOPIC_PREFIX>.<context>.events\` with TOPIC_PREFIX \`${prefix}\` here, and \`<topic>.dlq\` for what consumers set aside.`,
        '',
        'Every app serves this document at `GET /asyncapi.json`.',
      ].join('\n'),
      tags: contexts.map((c) => ({ name: c, description: `Events recorded by the ${c} app.` })),
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        title: "The ledger's Kafka cluster",
        description:
          'KAFKA_BROKERS (comma-separated host:port; 127.0.0.1:9092 unless set). Each app signs in as its own principal and may write only its own topic; ' +
          'an outside consumer gets a principal with read grants (README, "Kafka access").',
        security: [ref('#/components/securitySchemes/sasl')],
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        sasl: { type: 'scramSha512', description: 'SASL/SCRAM-SHA-512 unless KAFKA_SASL_MECHANISM says otherwise (scram-sha-256, plain).' },
      },
      correlationIds: {
        correlationId: { location: `$message.header#/${Headers.correlationId}`, description: "The envelope's `correlationId`." },
      },
    },
  };
}

function eventMessage(def: EventDefinition, latest: number): JsonSchema {
  const id = messageId(def);
  const v = def.schemaVersion;
  const versions =
    v < latest
      ? `Superseded by v${latest}. Events stored at v${v} keep it on the topic; consumers upcast them to v${latest} before handling.`
      : latest > 1
        ? `The latest version; consumers upcast ${latest > 2 ? `v1–v${latest - 1}` : 'v1'} to it.`
        : undefined;
  return {
    name: id,
    title: `${def.type} v${v}`,
    summary: def.description,
    ...(versions ? { description: versions } : {}),
    tags: [{ name: def.context }],
    correlationId: ref('#/components/correlationIds/correlationId'),
    headers: {
      allOf: [
        ref('#/components/schemas/EventHeaders'),
        {
          type: 'object',
          properties: {
            [Headers.eventType]: { const: def.type },
            [Headers.schemaVersion]: { const: String(v) },
            [Headers.context]: { const: def.context },
          },
        },
      ],
    },
    payload: {
      allOf: [
        ref('#/components/schemas/EventEnvelope'),
        {
          type: 'object',
          properties: {
            type: { const: def.type },
            schemaVersion: { const: v },
            context: { const: def.context },
            data: ref(`#/components/schemas/${id}.data`),
          },
        },
      ],
    },
    bindings: { kafka: { key: ref('#/components/schemas/StreamId'), bindingVersion: KAFKA_BINDING } },
  };
}

/**
 * The document as Markdown for people (docs/events.md): the envelope, headers and key, then per
 * topic each event type and version with a table of its data fields.
 */
export function eventsMarkdown(doc: AsyncApiDocument): string {
  const d = doc as any;
  const schemas = d.components.schemas as Record<string, any>;
  const messages = d.components.messages as Record<string, any>;
  const out: string[] = [];
  const line = (...l: string[]) => out.push(...l);
  line(
    `# ${d.info.title}`,
    '',
    '<!-- Generated by `npm run asyncapi` from the event catalog (libs/events); edit the catalog, not this file. -->',
    '',
    `Version ${d.info.version}; in AsyncAPI 3: [asyncapi.json](asyncapi.json).`,
    '',
    d.info.description,
    '',
    '## Envelope',
    '',
    schemas.EventEnvelope.description,
    '',
    '| Field | Type | Required | Description |',
    '| --- | --- | --- | --- |',
    ...fieldRows(schemas.EventEnvelope).map(
      (r) => `| \`${r.path}\` | ${r.type} | ${r.required} | ${cell(r.schema.description ?? '')}${r.constraints ? ` (${r.constraints})` : ''} |`,
    ),
    '',
    '## Headers',
    '',
    'Kafka headers, UTF-8 strings. Dead-letter headers are added to a message when a consumer sets it aside on `<topic>.dlq`.',
    '',
    '| Header | On | Description |',
    '| --- | --- | --- |',
    ...Object.entries(schemas.DeadLetterHeaders.properties as Record<string, any>).map(
      ([name, s]) => `| \`${name}\` | ${name in schemas.EventHeaders.properties ? 'every event' : 'dead letters'} | ${cell(s.description)} |`,
    ),
    '',
    '## Key',
    '',
    `${schemas.StreamId.description}`,
    '',
    '## Topics',
    '',
    '| Topic | Dead letters | Events |',
    '| --- | --- | --- |',
  );
  const topics = Object.entries(d.channels as Record<string, any>).filter(([id]) => !id.endsWith('.dlq'));
  for (const [id, channel] of topics) {
    const dlq = d.channels[`${id}.dlq`];
    line(`| [\`${channel.address}\`](#${anchor(channel.address)}) | \`${dlq?.address ?? '-'}\` | ${Object.keys(channel.messages).length} |`);
  }
  for (const [id, channel] of topics) {
    line('', `## ${channel.address}`, '', channel.description, '', `Published by the \`${id}\` app (operation \`${id}.publish\`).`);
    if (d.channels[`${id}.dlq`]) line(`Dead letters: \`${d.channels[`${id}.dlq`].address}\`.`);
    line('', '| Event | Version | Summary |', '| --- | --- | --- |');
    for (const messageKey of Object.keys(channel.messages)) {
      const m = messages[messageKey];
      line(`| [${m.title.replace(/ v\d+$/, '')}](#${anchor(m.title)}) | ${m.title.replace(/^.* v/, '')} | ${cell(m.summary)} |`);
    }
    for (const messageKey of Object.keys(channel.messages)) {
      const m = messages[messageKey];
      const own = m.payload.allOf[1];
      const dataSchema = schemas[own.properties.data.$ref.replace('#/components/schemas/', '')];
      const headerValues = Object.entries(m.headers.allOf[1].properties as Record<string, any>)
        .map(([h, s]) => `\`${h}: ${s.const}\``)
        .join(', ');
      line('', `### ${m.title}`, '', m.summary);
      if (m.description) line('', m.description);
      line('', `Message \`${m.name}\` on \`${channel.address}\`. Key: the stream id. Headers: ${headerValues}.`, '');
      line('| Field of `data` | Type | Required | Constraints |', '| --- | --- | --- | --- |');
      for (const r of fieldRows(dataSchema)) line(`| \`${r.path}\` | ${r.type} | ${r.required} | ${cell(r.constraints)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

interface FieldRow {
  path: string;
  type: string;
  required: string;
  constraints: string;
  schema: any;
}

/** One row per field, nested objects and arrays of objects flattened to `items[].unitPrice`. */
function fieldRows(schema: any, prefix = ''): FieldRow[] {
  const required = new Set<string>(schema.required ?? []);
  return Object.entries((schema.properties ?? {}) as Record<string, any>).flatMap(([name, s]) => {
    const path = `${prefix}${name}`;
    const { schema: inner, nullable } = withoutNull(s);
    const row: FieldRow = {
      path,
      type: `${typeName(inner)}${nullable ? ' or null' : ''}`,
      required: required.has(name) ? 'yes' : 'no',
      constraints: constraints(inner),
      schema: s,
    };
    const items = inner.type === 'array' ? withoutNull(inner.items ?? {}).schema : undefined;
    const nestedRows = (s: any, at: string): FieldRow[] => {
      if (s?.properties) return fieldRows(s, at);
      // One of several shapes told apart by a property: each shape's fields, marked with when they apply.
      if (Array.isArray(s?.oneOf) && typeof s.discriminator === 'string') {
        return s.oneOf.flatMap((shape: any) => {
          const value = shape.properties?.[s.discriminator]?.enum?.[0] ?? shape.properties?.[s.discriminator]?.const;
          return fieldRows(shape, at).map((r) => ({
            ...r,
            constraints: [`when \`${s.discriminator}\` is \`${value}\``, r.constraints].filter(Boolean).join('; '),
          }));
        });
      }
      return [];
    };
    return [row, ...nestedRows(inner, `${path}.`), ...nestedRows(items, `${path}[].`)];
  });
}

function withoutNull(s: any): { schema: any; nullable: boolean } {
  if (Array.isArray(s.anyOf) && s.anyOf.some((o: any) => o.type === 'null')) {
    return { schema: s.anyOf.find((o: any) => o.type !== 'null'), nullable: true };
  }
  if (Array.isArray(s.type) && s.type.includes('null')) {
    const types = s.type.filter((t: string) => t !== 'null');
    const enumWithout = Array.isArray(s.enum) ? { enum: s.enum.filter((e: unknown) => e !== null) } : {};
    return { schema: { ...s, ...enumWithout, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema: s, nullable: false };
}

function typeName(s: any): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
    const options = (s.oneOf ?? s.anyOf) as any[];
    if (typeof s.discriminator === 'string') return `object, one of ${options.length} shapes by \`${s.discriminator}\``;
    if (options.every((o) => o.type === 'string' && o.format)) return `string (${options.map((o) => o.format).join(' or ')})`;
    return options.map(typeName).join(' or ');
  }
  if (s.type === 'array') return `array of ${plural(typeName(withoutNull(s.items ?? {}).schema))}`;
  if (Array.isArray(s.type)) return s.type.join(' or ');
  return s.type ? `${s.type}${s.format ? ` (${s.format})` : ''}` : 'any';
}

function plural(type: string): string {
  return type.replace(/^(string|integer|number|boolean|object|array)\b/, '$1s');
}

function constraints(s: any): string {
  const c: string[] = [];
  if (Array.isArray(s.enum)) c.push(`${s.enum.length === 1 ? 'always' : 'one of'} ${s.enum.map((e: unknown) => `\`${e}\``).join(', ')}`);
  if (s.pattern) c.push(`matches \`${s.pattern}\``);
  const range = (min: unknown, max: unknown) =>
    min !== undefined && max !== undefined ? (min === max ? `${min}` : `${min}–${max}`) : min !== undefined ? `≥ ${min}` : max !== undefined ? `≤ ${max}` : '';
  const length = range(s.minLength, s.maxLength);
  if (length) c.push(`length ${length}`);
  const value = range(s.minimum, s.maximum);
  if (value) c.push(value);
  if (s.minItems !== undefined) c.push(s.minItems === 1 ? 'not empty' : `at least ${s.minItems} items`);
  if (s.maxItems !== undefined) c.push(`at most ${s.maxItems} items`);
  if (s.uniqueItems) c.push('no duplicates');
  if (s.type === 'array' && s.items) {
    const each = constraints(withoutNull(s.items).schema);
    if (each) c.push(`each: ${each}`);
  }
  return c.join('; ');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** Pipes would end a table cell, even inside code. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

// ---- schema fingerprints (libs/events/src/schema-fingerprints.json) ----

/** `Type@version` -> sha256 (hex) of the canonical JSON Schema of that version's `data`. */
export type SchemaFingerprints = Record<string, string>;

export function schemaFingerprints(catalog: EventCatalog): SchemaFingerprints {
  return Object.fromEntries(
    catalog.list().map((d) => [`${d.type}@${d.schemaVersion}`, fingerprint({ schema: eventDataSchema(d.schema), rules: validationRules(d.schema, []) })]),
  );
}

/**
 * Every class-validator rule of a class and the classes nested in it, as data: the JSON Schema
 * does not show them all (a UUID version, decimal places, a regex's flags, custom validators),
 * and a changed rule changes what a version accepts as much as a changed field.
 */
function validationRules(target: Class, enclosing: Class[]): unknown {
  if (enclosing.includes(target)) return `recursion:${target.name}`;
  const inner = [...enclosing, target];
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  return metadatas
    .map((m) => {
      const typeMeta = m.type === ValidationTypes.NESTED_VALIDATION ? defaultMetadataStorage.findTypeMetadata(m.target as Class, m.propertyName) : undefined;
      const nestedType = typeMeta?.typeFunction() as Class | undefined;
      const discriminator = typeMeta?.options?.discriminator;
      return canonicalJson({
        property: m.propertyName,
        type: m.type,
        name: m.name ?? null,
        each: m.each ?? false,
        always: m.always ?? false,
        constraints: (m.constraints ?? []).map(ruleValue),
        validator: typeof m.constraintCls === 'function' ? m.constraintCls.name : null,
        nested: discriminator
          ? {
              property: discriminator.property,
              subTypes: discriminator.subTypes.map((s) => ({ name: s.name, rules: validationRules(s.value as Class, inner) })),
            }
          : typeof nestedType === 'function'
            ? validationRules(nestedType, inner)
            : null,
      });
    })
    .sort();
}

/**
 * A rule's constraint as comparable data: a regex with its flags. A function (a @ValidateIf
 * condition) only counts as being there: its compiled text differs between compilers, and the
 * test and the script compile with different settings.
 */
function ruleValue(value: unknown): unknown {
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return 'function';
  if (Array.isArray(value)) return value.map(ruleValue);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ruleValue(v)]));
  return value ?? null;
}

export function fingerprint(schema: unknown): string {
  return createHash('sha256').update(canonicalJson(schema)).digest('hex');
}

/**
 * JSON with sorted keys, and `required` and `enum` sorted too: they are sets, so declaring the
 * same fields or values in another order is the same schema.
 */
export function canonicalJson(value: unknown, key = ''): string {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonicalJson(v));
    if (key === 'required' || key === 'enum') items.sort();
    return `[${items.join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, k)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface FingerprintDrift {
  /** Recorded, but the schema is different now. */
  changed: string[];
  /** In the catalog, not recorded yet. */
  added: string[];
  /** Recorded, no longer in the catalog. */
  removed: string[];
}

export function fingerprintDrift(recorded: SchemaFingerprints, current: SchemaFingerprints): FingerprintDrift {
  return {
    changed: Object.keys(current).filter((k) => k in recorded && recorded[k] !== current[k]),
    added: Object.keys(current).filter((k) => !(k in recorded)),
    removed: Object.keys(recorded).filter((k) => !(k in current)),
  };
}

/**
 * The fingerprints to record: new versions added; a changed or removed one is replaced only when
 * `acceptChanged` (a version never released), since consumers rely on the recorded shape.
 */
export function mergeFingerprints(recorded: SchemaFingerprints, current: SchemaFingerprints, acceptChanged: boolean): SchemaFingerprints {
  const merged = acceptChanged ? { ...current } : { ...current, ...recorded };
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => compareKeys(a, b)));
}

/** By type, then version as a number (`X@2` before `X@10`). */
function compareKeys(a: string, b: string): number {
  const [ta = '', va = '0'] = a.split('@');
  const [tb = '', vb = '0'] = b.split('@');
  return ta.localeCompare(tb) || Number(va) - Number(vb);
}
