import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Admin, Kafka, ResourcePatternTypes } from 'kafkajs';
import { CONTEXTS, ContextName, deadLetterTopic, eventsTopic } from '@dealledger/events';
import { defaultPartitions, ensureTopics } from './topics';

/** Which contexts' topics each context consumes: the only reads its Kafka principal is given. */
export const CONSUMES: Record<ContextName, ContextName[]> = {
  directory: [],
  offers: [],
  contracts: ['offers'],
  resale: ['contracts', 'fulfilment'],
  'service-desk': ['contracts', 'fulfilment'],
  fulfilment: ['contracts'],
  // The ledger's deals move a seller's opportunities; registrations link its prospects.
  accounts: ['directory', 'offers', 'contracts'],
  // Of the accounts topic, it keeps only a seller's touches, shown to that seller alone.
  relationships: ['directory', 'offers', 'contracts', 'resale', 'service-desk', 'fulfilment', 'accounts'],
};

export interface Grant {
  principal: string;
  resourceType: AclResourceTypes;
  resourceName: string;
  resourcePatternType: ResourcePatternTypes;
  operation: AclOperationTypes;
}

/**
 * Least privilege per app: it writes only its own topic (so every message on a topic comes
 * from the app that owns it), reads only the topics it consumes, writes their dead letters and
 * uses consumer groups named after itself. Anything not granted is refused by the broker.
 */
export function ledgerGrants(prefix = process.env.TOPIC_PREFIX || 'dealledger'): Grant[] {
  const grants: Grant[] = [];
  const grant = (principal: string, resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes, prefixed = false) =>
    grants.push({
      principal,
      resourceType,
      resourceName,
      resourcePatternType: prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      operation,
    });
  for (const context of CONTEXTS) {
    grant(context, AclResourceTypes.TOPIC, eventsTopic(context, prefix), AclOperationTypes.WRITE);
    grant(context, AclResourceTypes.CLUSTER, 'kafka-cluster', AclOperationTypes.IDEMPOTENT_WRITE);
    for (const source of CONSUMES[context]) {
      grant(context, AclResourceTypes.TOPIC, eventsTopic(source, prefix), AclOperationTypes.READ);
      grant(context, AclResourceTypes.TOPIC, deadLetterTopic(eventsTopic(source, prefix)), AclOperationTypes.WRITE);
    }
    // Every app learns revoked tokens from the directory's topic (libs/platform RevocationFeed).
    if (!CONSUMES[context].includes('directory')) grant(context, AclResourceTypes.TOPIC, eventsTopic('directory', prefix), AclOperationTypes.READ);
    // Its live group, its token feed's (`<group>.tokens.…`) and the rebuild's (`<group>.rebuild.…`).
    grant(context, AclResourceTypes.GROUP, `${prefix}.${context}`, AclOperationTypes.READ, true);
    grant(context, AclResourceTypes.GROUP, `${prefix}.${context}`, AclOperationTypes.DELETE, true);
  }
  return grants;
}

/** Every topic the ledger uses under `prefix`: each context's events and their dead letters. */
export function ledgerTopics(prefix = process.env.TOPIC_PREFIX || 'dealledger'): string[] {
  const consumed = new Set(Object.values(CONSUMES).flat());
  return CONTEXTS.flatMap((c) => [eventsTopic(c, prefix), ...(consumed.has(c) ? [deadLetterTopic(eventsTopic(c, prefix))] : [])]);
}

/**
 * Creates the topics and grants the ACLs (both idempotent), signed in as a principal that may
 * (the project's `operator`). An outside consumer gets its own principal and a READ grant by
 * the same means (see README, "Kafka access").
 */
export async function applyLedgerAccess(kafka: Kafka, prefix = process.env.TOPIC_PREFIX || 'dealledger'): Promise<{ topics: number; grants: number }> {
  const topics = ledgerTopics(prefix);
  await ensureTopics(
    kafka,
    topics.map((topic) => ({ topic, partitions: defaultPartitions() })),
  );
  const grants = ledgerGrants(prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: grants.map((g) => ({ ...g, principal: `User:${g.principal}`, host: '*', permissionType: AclPermissionTypes.ALLOW })),
    });
    await untilGranted(admin, grants);
  } finally {
    await admin.disconnect();
  }
  return { topics: topics.length, grants: grants.length };
}

const grantKey = (g: { principal: string; resourceType: number; resourceName: string; resourcePatternType: number; operation: number }) =>
  [g.principal, g.resourceType, g.resourceName, g.resourcePatternType, g.operation].join('|');

/**
 * The broker applies new ACLs a moment after it acknowledged them (its authorizer replays the
 * metadata log): wait until it lists every grant, so that a client started right after this
 * (an app, a test) is not refused by a broker that has not caught up.
 */
async function untilGranted(admin: Admin, grants: Grant[], timeoutMs = 15000): Promise<void> {
  const wanted = new Set(grants.map((g) => grantKey({ ...g, principal: `User:${g.principal}` })));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ALLOW,
    });
    const present = new Set(
      listed.resources.flatMap((r) =>
        r.acls.map((a) =>
          grantKey({
            principal: a.principal,
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            resourcePatternType: r.resourcePatternType,
            operation: a.operation,
          }),
        ),
      ),
    );
    const missing = [...wanted].filter((k) => !present.has(k)).length;
    if (missing === 0) return;
    if (Date.now() > deadline) throw new Error(`the broker lists ${wanted.size - missing} of ${wanted.size} ACLs after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
