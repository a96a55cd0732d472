import type { ContractEvent, DocumentRef } from '@dealledger/events';
import type { NamedDocument } from './contract.commands';

/**
 * The documents an amendment names, as the terms will record them: one the current terms
 * already attach keeps its recorded ref (the other party may have uploaded it); the others are
 * looked up by `uploadedByAmender` (which refuses what the amending company did not upload).
 */
export async function documentsToRecord(
  named: NamedDocument[],
  current: DocumentRef[],
  uploadedByAmender: (fresh: NamedDocument[]) => Promise<DocumentRef[]>,
): Promise<DocumentRef[]> {
  const recorded = (sha256: string) => current.find((d) => d.sha256 === sha256);
  const uploaded = await uploadedByAmender(named.filter((d) => !recorded(d.sha256)));
  return named.map((d) => recorded(d.sha256) ?? uploaded.find((u) => u.sha256 === d.sha256)!);
}

/**
 * A document any version of the terms attached (drafted, amended, executed), as the latest of
 * them recorded it: a party keeps access to what it was once asked to sign.
 */
export function attachedDocument(events: ContractEvent[], sha256: string): DocumentRef | undefined {
  let found: DocumentRef | undefined;
  for (const e of events) {
    if (e.type !== 'ContractDrafted' && e.type !== 'ContractAmended' && e.type !== 'ContractExecuted') continue;
    found = e.data.terms.documents.find((d) => d.sha256 === sha256) ?? found;
  }
  return found;
}
