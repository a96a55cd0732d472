import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

type Schema = new () => object;

export interface EventDefinition {
  type: string;
  schemaVersion: number;
  context: string;
  /** A class-validator class describing `data` at this version. */
  schema: Schema;
  description: string;
}

/** Turns data of `fromVersion` into data of `fromVersion + 1`. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Every event type the ledger publishes, per version, with its schema: the shared contract
 * between producers and consumers. Consumers validate incoming data against it and upcast
 * old versions to the newest before handling.
 */
export class EventCatalog {
  private readonly definitions = new Map<string, EventDefinition>();
  private readonly upcasters = new Map<string, Upcaster>();
  private readonly latestVersions = new Map<string, number>();

  register(...definitions: EventDefinition[]): this {
    for (const def of definitions) {
      this.definitions.set(key(def.type, def.schemaVersion), def);
      this.latestVersions.set(def.type, Math.max(def.schemaVersion, this.latestVersions.get(def.type) ?? 0));
    }
    return this;
  }

  registerUpcaster(...upcasters: Upcaster[]): this {
    for (const u of upcasters) this.upcasters.set(key(u.type, u.fromVersion), u);
    return this;
  }

  has(type: string): boolean {
    return this.latestVersions.has(type);
  }

  get(type: string, schemaVersion: number): EventDefinition | undefined {
    return this.definitions.get(key(type, schemaVersion));
  }

  /** Whether data of `type`@`fromVersion` can be brought to `fromVersion + 1`. */
  hasUpcaster(type: string, fromVersion: number): boolean {
    return this.upcasters.has(key(type, fromVersion));
  }

  latestVersion(type: string): number {
    const v = this.latestVersions.get(type);
    if (v === undefined) throw new Error(`event type not in the catalog: ${type}`);
    return v;
  }

  list(): EventDefinition[] {
    return [...this.definitions.values()].sort((a, b) => a.type.localeCompare(b.type) || a.schemaVersion - b.schemaVersion);
  }

  /** Problems with `data` as `type`@`schemaVersion`, as readable sentences; empty when valid. */
  validate(type: string, schemaVersion: number, data: unknown): string[] {
    const def = this.get(type, schemaVersion);
    if (!def) return [`unknown event ${type} v${schemaVersion}`];
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return ['data must be an object'];
    const instance = plainToInstance(def.schema, data);
    return flatten(validateSync(instance, { forbidUnknownValues: true }));
  }

  /**
   * An event (an envelope, a recorded event) with its data at its type's newest version; as it
   * is when already there, or of a type this catalog does not know.
   */
  upcastEvent<E extends { type: string; schemaVersion: number; data: unknown }>(event: E): E {
    if (!this.has(event.type) || event.schemaVersion === this.latestVersion(event.type)) return event;
    const { schemaVersion, data } = this.upcast(event.type, event.schemaVersion, event.data as Record<string, unknown>);
    return { ...event, schemaVersion, data };
  }

  /** Brings data of an older version up to the newest one this catalog knows. */
  upcast(type: string, schemaVersion: number, data: Record<string, unknown>): { schemaVersion: number; data: Record<string, unknown> } {
    let version = schemaVersion;
    let current = data;
    const latest = this.latestVersion(type);
    while (version < latest) {
      const upcaster = this.upcasters.get(key(type, version));
      if (!upcaster) throw new Error(`no upcaster for ${type} v${version} -> v${version + 1}`);
      current = upcaster.upcast(current);
      version += 1;
    }
    return { schemaVersion: version, data: current };
  }
}

function key(type: string, version: number): string {
  return `${type}@${version}`;
}

function flatten(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const at = path ? `${path}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((msg) => (msg.startsWith(e.property) ? `${path ? path + '.' : ''}${msg}` : `${at}: ${msg}`));
    return [...own, ...flatten(e.children ?? [], at)];
  });
}
