/** The ledger's bounded contexts; each publishes to exactly one topic. */
export const CONTEXTS = ['directory', 'offers', 'contracts', 'resale', 'service-desk', 'fulfilment', 'accounts', 'relationships'] as const;
export type ContextName = (typeof CONTEXTS)[number];

/**
 * `dealledger.<context>.events`. The prefix is configurable (TOPIC_PREFIX) so that several
 * ledgers, or parallel test runs, can share one cluster without seeing each other.
 */
export function eventsTopic(context: string, prefix = process.env.TOPIC_PREFIX || 'dealledger'): string {
  return `${prefix}.${context}.events`;
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
