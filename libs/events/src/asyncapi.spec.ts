import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { DECIMAL_PATTERN } from '@dealledger/domain';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { asyncApiDocument, eventDataSchema, eventsMarkdown, messageId } from './asyncapi';
import { Headers } from './envelope';
import { eventCatalog } from './index';

const ROOT = join(__dirname, '..', '..', '..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const doc = asyncApiDocument(eventCatalog, { version });
const REGENERATE = 'run `npm run asyncapi` and commit what it writes';

class Tier {
  @IsInt() @Min(1) minQuantity: number;
  @Matches(DECIMAL_PATTERN) unitPrice: string;
}

class Ref {
  @IsUUID() id: string;
}

class Sample extends Ref {
  @IsArray() @ValidateNested({ each: true }) @Type(() => Tier) tiers: Tier[];
  @IsOptional() @ValidateNested() @Type(() => Tier) best: Tier | null;
  @IsOptional() @IsIn(['a', 'b']) kind?: 'a' | 'b';
}

class Untyped {
  @ValidateNested() tier: Tier;
}

class Undecorated {
  name: string;
}

class Forward {
  @IsString() note: string;
}

describe('eventDataSchema', () => {
  it('reads the decorators: nested classes inlined, base fields first, optional fields not required and nullable, patterns kept', () => {
    const tier = {
      type: 'object',
      properties: { minQuantity: { type: 'integer', minimum: 1 }, unitPrice: { type: 'string', pattern: DECIMAL_PATTERN.source } },
      required: ['minQuantity', 'unitPrice'],
    };
    const schema = eventDataSchema(Sample);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        tiers: { type: 'array', items: tier },
        best: { ...tier, type: ['object', 'null'] },
        kind: { type: ['string', 'null'], enum: ['a', 'b', null] },
      },
      required: ['id', 'tiers'],
    });
    expect(Object.keys(schema.properties as object)).toEqual(['id', 'tiers', 'best', 'kind']);
  });

  it('refuses a nested field without @Type() and a class without decorators', () => {
    expect(() => eventDataSchema(Untyped)).toThrow('Untyped.tier: @ValidateNested() needs @Type(() => TheNestedClass)');
    expect(() => eventDataSchema(Undecorated)).toThrow('Undecorated has no class-validator decorators');
    expect(eventDataSchema(Forward)).toEqual({ type: 'object', properties: { note: { type: 'string' } }, required: ['note'] });
  });

  it('shows the decimal pattern of money fields of the catalog', () => {
    const accepted = eventDataSchema(eventCatalog.get('OfferAccepted', 1)!.schema) as any;
    expect(accepted.properties.total).toEqual({ type: 'string', pattern: DECIMAL_PATTERN.source });
    expect(accepted.properties.items.items.properties.tiers.items.required).toEqual(['minQuantity', 'unitPrice']);
  });
});

describe('asyncApiDocument', () => {
  it('is valid AsyncAPI 3.0.0 for the official parser, each event version a message on its context topic', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('/')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    const definitions = eventCatalog.list();
    expect(definitions.length).toBeGreaterThan(0);
    for (const def of definitions) {
      const topic = document!.channels().get(def.context);
      expect(topic?.address()).toBe(`dealledger.${def.context}.events`);
      expect(document!.channels().get(`${def.context}.dlq`)?.address()).toBe(`dealledger.${def.context}.events.dlq`);
      const message = topic!.messages().get(messageId(def));
      expect({ message: messageId(def), on: def.context, found: message?.name() }).toEqual({ message: messageId(def), on: def.context, found: messageId(def) });
      const [, own] = message!.payload()!.allOf()!;
      expect(own!.properties()!['schemaVersion']!.const()).toBe(def.schemaVersion);
      expect(own!.properties()!['data']!.json()).toMatchObject(eventDataSchema(def.schema));
      expect(message!.bindings().get('kafka')?.value().key).toMatchObject({ type: 'string' });
      const publish = document!.operations().get(`${def.context}.publish`);
      expect(publish?.isSend()).toBe(true);
      expect(
        publish!
          .messages()
          .all()
          .map((m) => m.name()),
      ).toContain(messageId(def));
    }
    expect(document!.allMessages().length).toBe(definitions.length + 1);
  });

  it('documents every envelope field and every header', () => {
    const schemas = (doc as any).components.schemas;
    const envelope = schemas.EventEnvelope.properties as Record<string, { description?: string }>;
    for (const field of ['id', 'type', 'schemaVersion', 'streamId', 'correlationId', 'hash', 'previousHash', 'data']) {
      expect(envelope[field]?.description).toEqual(expect.any(String));
    }
    expect(Object.keys(schemas.DeadLetterHeaders.properties).sort()).toEqual(Object.values(Headers).sort());
    expect(schemas.EventHeaders.required).toEqual(expect.arrayContaining([Headers.eventId, Headers.eventType, Headers.schemaVersion, Headers.streamId]));
  });

  it('takes the topic prefix it is given', () => {
    const other = asyncApiDocument(eventCatalog, { version, topicPrefix: 'staging' }) as any;
    expect(other.channels.offers.address).toBe('staging.offers.events');
    expect(other.channels['offers.dlq'].address).toBe('staging.offers.events.dlq');
  });

  it('is what docs/asyncapi.json and docs/events.md hold', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'docs', 'asyncapi.json'), 'utf8'));
    const differences = jsonDifferences(committed, JSON.parse(JSON.stringify(doc)));
    if (differences.length > 0) {
      throw new Error(`docs/asyncapi.json is out of date with the event catalog: ${REGENERATE}. First differences:\n${differences.join('\n')}`);
    }
    if (readFileSync(join(ROOT, 'docs', 'events.md'), 'utf8') !== eventsMarkdown(doc)) {
      throw new Error(`docs/events.md is out of date with the event catalog: ${REGENERATE}.`);
    }
  });
});

/** Where two JSON values differ, as paths (at most `limit`). */
function jsonDifferences(committed: unknown, generated: unknown, path = '$', out: string[] = [], limit = 10): string[] {
  if (out.length >= limit) return out;
  if (committed && generated && typeof committed === 'object' && typeof generated === 'object') {
    if (Array.isArray(committed) !== Array.isArray(generated)) out.push(`${path}: array vs object`);
    else {
      for (const k of new Set([...Object.keys(committed), ...Object.keys(generated)])) {
        const a = (committed as Record<string, unknown>)[k];
        const b = (generated as Record<string, unknown>)[k];
        if (a === undefined) out.push(`${path}.${k}: not committed`);
        else if (b === undefined) out.push(`${path}.${k}: no longer generated`);
        else jsonDifferences(a, b, `${path}.${k}`, out, limit);
        if (out.length >= limit) break;
      }
    }
  } else if (committed !== generated) out.push(`${path}: committed ${JSON.stringify(committed)}, generated ${JSON.stringify(generated)}`);
  return out;
}
