import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { canonicalJson, eventDataSchema, fingerprint, fingerprintDrift, mergeFingerprints, schemaFingerprints, SchemaFingerprints } from './asyncapi';
import { EventCatalog, EventDefinition } from './catalog';
import { eventCatalog } from './index';

const FILE = join(__dirname, 'schema-fingerprints.json');

/** Why recorded fingerprints do not match the catalog, as sentences. */
function fingerprintProblems(recorded: SchemaFingerprints, catalog: EventCatalog): string[] {
  const drift = fingerprintDrift(recorded, schemaFingerprints(catalog));
  return [
    ...drift.changed.map((key) => {
      const v = Number(key.split('@')[1]);
      return (
        `${key}: the event class changed without a new schemaVersion. Events stored and published as v${v} keep their shape: ` +
        `add a version ${v + 1} class and an upcaster instead of changing v${v} (only if v${v} was never released: npm run asyncapi -- --accept-changed).`
      );
    }),
    ...drift.removed.map((key) => `${key} left the catalog, but events stored at that version must still be read: keep its class and upcaster.`),
    ...drift.added.map((key) => `${key} has no recorded fingerprint: run \`npm run asyncapi\` and commit libs/events/src/schema-fingerprints.json.`),
  ];
}

/**
 * Data in the shape of `schema`, valid where that is easy to guess (formats, the catalog's
 * patterns, bounds), so that an upcaster has something real to work on.
 */
function sampleOf(schema: any): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((e: unknown) => e !== null);
  const options = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(options)) return sampleOf(options.find((o: any) => o.type !== 'null') ?? {});
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries((schema.properties ?? {}) as Record<string, any>).map(([k, s]) => [k, sampleOf(s)]));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleOf(schema.items ?? {}));
    case 'integer':
    case 'number':
      return Math.min(Math.max(1, schema.minimum ?? 1), schema.maximum ?? Infinity);
    case 'boolean':
      return true;
    case 'string':
      return sampleString(schema);
    default:
      return null;
  }
}

function sampleString(schema: any): string {
  const formats: Record<string, string> = {
    uuid: '00000000-0000-4000-8000-000000000001',
    email: 'someone@example.com',
    'date-time': '2024-01-01T00:00:00.000Z',
    date: '2024-01-01',
  };
  if (schema.format && formats[schema.format]) return formats[schema.format]!;
  if (schema.format === 'base64') return 'A'.repeat(Math.max(4, Math.ceil((schema.minLength ?? 4) / 4) * 4));
  const fits = (s: string) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity);
  const candidates = ['1', '1.5', 'AB', 'EUR', '0'.repeat(64), 'a'.repeat(Math.max(1, schema.minLength ?? 1)), '2024-01-01T00:00:00.000Z'];
  const pattern = schema.pattern ? new RegExp(schema.pattern) : undefined;
  return candidates.find((c) => fits(c) && (!pattern || pattern.test(c))) ?? 'x';
}

/**
 * For every type past v1: an upcaster for each step, and a sample of each older version that
 * upcasts to the latest without throwing (and, when the sample is valid, to valid latest data).
 */
function upcastProblems(catalog: EventCatalog): string[] {
  const problems: string[] = [];
  const types = [...new Set(catalog.list().map((d) => d.type))];
  for (const type of types) {
    const latest = catalog.latestVersion(type);
    for (let v = 1; v < latest; v++) {
      if (!catalog.get(type, v)) problems.push(`${type}: v${v} is missing, yet v${latest} exists`);
      if (!catalog.hasUpcaster(type, v)) problems.push(`${type}: no upcaster from v${v} to v${v + 1}`);
    }
    if (problems.some((p) => p.startsWith(`${type}:`))) continue;
    for (let v = 1; v < latest; v++) {
      const sample = sampleOf(eventDataSchema(catalog.get(type, v)!.schema)) as Record<string, unknown>;
      try {
        const { schemaVersion, data } = catalog.upcast(type, v, sample);
        if (schemaVersion !== latest) problems.push(`${type}: upcasting v${v} stopped at v${schemaVersion}, not v${latest}`);
        else if (catalog.validate(type, v, sample).length === 0) {
          const invalid = catalog.validate(type, latest, data);
          if (invalid.length > 0) problems.push(`${type}: valid v${v} data upcast to invalid v${latest} data: ${invalid.join('; ')}`);
        }
      } catch (err) {
        problems.push(`${type}: upcasting v${v} data to v${latest} threw: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}

describe('event schema fingerprints', () => {
  it('match the recorded ones: an event class never changes within its schemaVersion', () => {
    const recorded = JSON.parse(readFileSync(FILE, 'utf8')) as SchemaFingerprints;
    expect(fingerprintProblems(recorded, eventCatalog)).toEqual([]);
  });

  it('every type past v1 upcasts from each older version to the latest', () => {
    expect(upcastProblems(eventCatalog)).toEqual([]);
  });
});

describe('fingerprint checks (on a small catalog)', () => {
  class ItemV1 {
    @IsString() sku: string;
    @IsInt() @Min(1) quantity: number;
  }
  class ItemV1Reordered {
    @IsInt() @Min(1) quantity: number;
    @IsString() sku: string;
  }
  class ItemV1Changed {
    @IsString() sku: string;
    @IsString() quantity: string;
  }
  class ItemV2 {
    @IsString() sku: string;
    @IsString() quantity: string;
  }
  const def = (schemaVersion: number, schema: new () => object): EventDefinition => ({
    type: 'ItemCounted',
    schemaVersion,
    context: 'test',
    schema,
    description: 'counted',
  });
  const recorded = schemaFingerprints(new EventCatalog().register(def(1, ItemV1)));

  it('ignore the order fields are declared in', () => {
    expect(fingerprintProblems(recorded, new EventCatalog().register(def(1, ItemV1Reordered)))).toEqual([]);
    expect(canonicalJson({ b: 1, a: { required: ['y', 'x'] } })).toBe('{"a":{"required":["x","y"]},"b":1}');
  });

  it('name a version whose class changed, and say to add a new version instead', () => {
    const problems = fingerprintProblems(recorded, new EventCatalog().register(def(1, ItemV1Changed)));
    expect(problems).toEqual([expect.stringContaining('ItemCounted@1: the event class changed without a new schemaVersion')]);
    expect(problems[0]).toContain('add a version 2 class and an upcaster instead of changing v1');
  });

  it('see a changed rule the JSON Schema does not show (a UUID version, a regex flag, decimal places, a nested rule)', () => {
    class Ref {
      @IsUUID() id: string;
      @Matches(/^[a-z]+$/) code: string;
      @IsNumber() hours: number;
    }
    class Holder {
      @ValidateNested() @Type(() => Ref) ref: Ref;
    }
    const base = fingerprint({ rules: schemaFingerprints(new EventCatalog().register(def(1, Holder))) });
    const variants: [string, (new () => object)[]][] = [];
    class RefUuid4 {
      @IsUUID(4) id: string;
      @Matches(/^[a-z]+$/) code: string;
      @IsNumber() hours: number;
    }
    class RefFlag {
      @IsUUID() id: string;
      @Matches(/^[a-z]+$/i) code: string;
      @IsNumber() hours: number;
    }
    class RefPlaces {
      @IsUUID() id: string;
      @Matches(/^[a-z]+$/) code: string;
      @IsNumber({ maxDecimalPlaces: 2 }) hours: number;
    }
    for (const [name, R] of [
      ['uuid version', RefUuid4],
      ['regex flag', RefFlag],
      ['decimal places', RefPlaces],
    ] as const) {
      class HolderOf {
        @ValidateNested() @Type(() => R) ref: object;
      }
      variants.push([name, [HolderOf]]);
    }
    for (const [name, [H]] of variants) {
      expect([name, fingerprint({ rules: schemaFingerprints(new EventCatalog().register(def(1, H))) })]).not.toEqual([name, base]);
    }
  });

  it('ask for a new version to be recorded, and keep recorded ones unless told otherwise', () => {
    const current = schemaFingerprints(new EventCatalog().register(def(1, ItemV1Changed), def(2, ItemV2)));
    expect(fingerprintProblems(recorded, new EventCatalog().register(def(1, ItemV1), def(2, ItemV2)))).toEqual([
      expect.stringContaining('ItemCounted@2 has no recorded fingerprint'),
    ]);
    expect(mergeFingerprints(recorded, current, false)).toEqual({ 'ItemCounted@1': recorded['ItemCounted@1'], 'ItemCounted@2': current['ItemCounted@2'] });
    expect(mergeFingerprints(recorded, current, true)).toEqual(current);
  });

  it('require an upcaster for each step, and one that works on real data', () => {
    expect(upcastProblems(new EventCatalog().register(def(1, ItemV1), def(2, ItemV2)))).toEqual(['ItemCounted: no upcaster from v1 to v2']);
    const broken = new EventCatalog().register(def(1, ItemV1), def(2, ItemV2)).registerUpcaster({
      type: 'ItemCounted',
      fromVersion: 1,
      upcast: (data) => ({ ...data }),
    });
    expect(upcastProblems(broken)).toEqual([expect.stringContaining('ItemCounted: valid v1 data upcast to invalid v2 data')]);
    const working = new EventCatalog().register(def(1, ItemV1), def(2, ItemV2)).registerUpcaster({
      type: 'ItemCounted',
      fromVersion: 1,
      upcast: (data) => ({ ...data, quantity: String(data.quantity) }),
    });
    expect(upcastProblems(working)).toEqual([]);
  });
});
