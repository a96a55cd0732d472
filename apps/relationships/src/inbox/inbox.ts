import { invalid, isIsoTime } from '@dealledger/domain';
import type { ContractEvent, OfferEvent, RequiredSignature, TenderEvent, TicketEvent } from '@dealledger/events';

/**
 * The inbox: every action that waits for a company, or for those of its people who hold a
 * signing role, derived from events alone. `inboxChanges` says how one event changes it; the
 * projection applies the ops in each stream's order (`applyInboxOps` is the rule), and
 * `inboxView` is what a caller is shown (`InboxQueries` runs the same rule in SQL).
 *
 * Every item belongs to one stream (offer, tender, contract, ticket) and only that stream's
 * events open or close it, so streams may interleave in any order. Ops are upserts and deletes
 * by key: an event applied twice changes nothing the second time.
 *
 * Some events lack what their item needs: `OfferSubmitted` and `OfferCountered` carry no
 * validity, `SuppliersInvited` no submission deadline, `TicketAcknowledged` no resolution
 * deadline, `ContractRenewalProposed` not the roles that must sign again. Earlier events of the
 * same stream do, so they leave it in rows of no company (`RESOURCE_ROWS`, which no caller is):
 * - `<type>:<id>:due` (kind `deadline`): the resource's deadline; an item without its own
 *   `dueAt` takes it (offer validity, tender submission deadline, ticket resolution, contract end);
 * - `contract:<id>:proposed` (kind `renewal_proposed`): a renewal waits for signatures. The
 *   `sign_renewal` item of each required signature is kept from execution on (the roles are in
 *   `ContractExecuted`) and shown only while this row exists, as of the proposal.
 */

/** What a caller may be asked to do; `GET /inbox?kind=` takes these. */
export const INBOX_KINDS = [
  'answer_offer',
  'revise_offer',
  'submit_bid',
  'close_tender',
  'evaluate_bid',
  'award_tender',
  'answer_clarification',
  'resolve_complaint',
  'sign_contract',
  'sign_renewal',
  'acknowledge_ticket',
  'resolve_ticket',
] as const;
export type ActionKind = (typeof INBOX_KINDS)[number];
/** Rows of no company that items read (see above). */
export type ResourceRowKind = 'deadline' | 'renewal_proposed';
export type InboxKind = ActionKind | ResourceRowKind;

/** The company of resource rows: company ids are UUIDs, so no caller ever has this one. */
export const RESOURCE_ROWS = '';

/** Kinds whose action is impossible once due: hidden from then on, though no event closes them yet (a tender is closed by hand). */
export const GONE_WHEN_DUE: readonly ActionKind[] = ['submit_bid', 'answer_clarification'];

/** How a missing due time sorts: after every real one. */
export const NO_DUE = '9999-12-31';

export interface InboxItem {
  companyId: string;
  key: string;
  kind: InboxKind;
  role: string | null;
  resource: string;
  reason: string;
  dueAt: string | null;
  since: string;
}

export type InboxOp = { open: InboxItem } | { close: { companyId?: string; key: string } } | { closeAll: { keyPrefix: string } };

/** An item as a caller sees it: due time and age resolved through its resource rows. */
export interface InboxEntry {
  key: string;
  kind: ActionKind;
  role: string | null;
  resource: string;
  reason: string;
  dueAt: string | null;
  since: string;
}

/** What the inbox reads of an event (an `EventEnvelope` or a timeline row has it). */
export interface InboxEvent {
  type: string;
  data: any;
  parties: string[];
  occurredAt: string;
  streamId: string;
  context: string;
}

/**
 * Times as `toISOString()` writes them, so that text order is time order. Total: a stored time
 * JavaScript cannot read (no request can make one any more) is kept as written rather than
 * stopping the projection.
 */
const iso = (t: string) => {
  if (isIsoTime(t)) return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? String(t) : new Date(ms).toISOString();
};

/** Builds the ops of one resource: keys `<prefix>:<suffix>`, items as of `since`. */
function resourceOps(prefix: string, resource: string, since: string) {
  const key = (suffix: string) => `${prefix}:${suffix}`;
  const open = (companyId: string, suffix: string, kind: InboxKind, reason: string, more: { role?: string; dueAt?: string } = {}): InboxOp => ({
    open: { companyId, key: key(suffix), kind, role: more.role ?? null, resource, reason, dueAt: more.dueAt ? iso(more.dueAt) : null, since },
  });
  return {
    open,
    close: (companyId: string, suffix: string): InboxOp => ({ close: { companyId, key: key(suffix) } }),
    /** Every item whose key starts with `<prefix>:<suffix>`, of every company. */
    closeAll: (suffix = ''): InboxOp => ({ closeAll: { keyPrefix: key(suffix) } }),
    deadline: (dueAt: string, reason: string): InboxOp => open(RESOURCE_ROWS, 'due', 'deadline', reason, { dueAt }),
  };
}

function offerChanges(e: OfferEvent, since: string): InboxOp[] {
  const { offerId, supplierId, buyerId } = e.data;
  const r = resourceOps(`offer:${offerId}`, `/offers/${offerId}`, since);
  const answer = (why: string) => r.open(buyerId, 'answer', 'answer_offer', `${why}: accept, counter or reject it before it expires`);
  switch (e.type) {
    case 'OfferDrafted':
      // The buyer sees nothing of a draft; its validity waits here for the items of submission and counters.
      return [r.deadline(e.data.validUntil, 'Offer valid until')];
    case 'OfferSubmitted':
      return [answer(`Offer submitted (revision ${e.data.revision})`)];
    case 'OfferCountered':
      return [
        r.close(buyerId, 'answer'),
        r.open(supplierId, 'revise', 'revise_offer', `The buyer countered revision ${e.data.revision}: revise the offer before it expires`),
      ];
    case 'OfferRevised':
      return [r.close(supplierId, 'revise'), r.deadline(e.data.validUntil, 'Offer valid until'), answer(`Offer revised (revision ${e.data.revision})`)];
    case 'OfferAccepted':
    case 'OfferRejected':
    case 'OfferWithdrawn':
    case 'OfferExpired':
      return [r.closeAll()];
    case 'OfferDocumentAttached':
      return [];
  }
}

/** The lot an award event concerns; null for the whole tender (and for events recorded before lots). */
const lotOf = (d: { lotId?: string | null }) => d.lotId ?? null;
const ofLot = (d: { lotId?: string | null }) => (lotOf(d) === null ? '' : ` of lot “${lotOf(d)}”`);
/**
 * The key prefix of the complaints about one award: `complaint:<lotId>:` for a lot, so that the
 * lot's annulment closes its own only; `complaint:` for a whole award (the keys kept before lots).
 */
const complaints = (lot: string | null) => (lot === null ? 'complaint:' : `complaint:${lot}:`);

function tenderChanges(e: TenderEvent, since: string): InboxOp[] {
  const { tenderId, buyerId } = e.data;
  const r = resourceOps(`tender:${tenderId}`, `/tenders/${tenderId}`, since);
  const award = (why: string) => r.open(buyerId, 'award', 'award_tender', why, { role: 'procurement' });
  switch (e.type) {
    case 'TenderOpened':
      return [
        r.deadline(e.data.submissionDeadline, 'Submission deadline'),
        r.open(buyerId, 'close', 'close_tender', `Close "${e.data.title}" once its submission deadline has passed, to open the bids`, {
          dueAt: e.data.submissionDeadline,
        }),
      ];
    case 'SuppliersInvited':
      return e.data.supplierIds.map((s) => r.open(s, 'bid', 'submit_bid', 'Invited to the tender: submit a sealed bid before the submission deadline'));
    case 'BidSubmitted':
      return [r.close(e.data.supplierId, 'bid')];
    case 'BidWithdrawn':
      // Still invited, and bidding again is open until the deadline.
      return [r.open(e.data.supplierId, 'bid', 'submit_bid', 'Your bid was withdrawn: bid again before the submission deadline if you wish')];
    case 'TenderClosed': {
      const bids = e.data.bids;
      return [
        r.closeAll(),
        ...bids.map((b) =>
          r.open(buyerId, `evaluate:${b.supplierId}`, 'evaluate_bid', `Evaluate the bid of supplier ${b.supplierId} (price score ${b.priceScore})`),
        ),
        // Without bids there is nothing to award; the tender can only be cancelled.
        ...(bids.length ? [award(`The tender closed with ${bids.length} bid(s): award it to an evaluated bid`)] : []),
      ];
    }
    case 'BidEvaluated':
      return [r.close(buyerId, `evaluate:${e.data.supplierId}`)];
    // A provisional award leaves only complaints to resolve, which come after it.
    case 'TenderAwarded': {
      const lot = lotOf(e.data);
      if (lot === null) return [r.closeAll()];
      // Other lots still to award: so is the tender, and their bids may still need evaluating.
      if (e.data.lotsToAward > 0) return [award(`Lot “${lot}” awarded, ${e.data.lotsToAward} lot(s) still to award: award each to an evaluated bid`)];
      // The last lot: complaints about the other lots' provisional awards stay open.
      return [r.close(buyerId, 'award'), r.closeAll('evaluate:')];
    }
    case 'LotCancelled':
      // Like an award of the lot: the buyer still has lots to decide, or none.
      if (e.data.lotsToAward > 0)
        return [award(`Lot “${e.data.lotId}” cancelled, ${e.data.lotsToAward} lot(s) still to award: award each to an evaluated bid`)];
      return [r.close(buyerId, 'award'), r.closeAll('evaluate:')];
    case 'AwardFinalised': {
      const lot = lotOf(e.data);
      // A final lot: no complaint of it is open; the other lots' items are theirs.
      return lot === null ? [r.closeAll()] : [r.closeAll(complaints(lot))];
    }
    case 'TenderCancelled':
      return [r.closeAll()];
    case 'AwardComplaintFiled':
      return [
        r.open(
          buyerId,
          `${complaints(lotOf(e.data))}${e.data.complaintId}`,
          'resolve_complaint',
          `A bidder complained about the award${ofLot(e.data)}: ${e.data.grounds}`,
          { role: 'procurement' },
        ),
      ];
    case 'AwardComplaintResolved':
      return [r.close(buyerId, `${complaints(lotOf(e.data))}${e.data.complaintId}`)];
    case 'AwardAnnulled': {
      const lot = lotOf(e.data);
      // Complaints still open concerned the annulled award (of that lot only): the tender (or lot) waits for a new one.
      if (lot === null) return [r.closeAll('complaint:'), award(`The award was annulled (${e.data.reason}): award the tender anew to an evaluated bid`)];
      return [r.closeAll(complaints(lot)), award(`The award of lot “${lot}” was annulled (${e.data.reason}): award the lot anew to an evaluated bid`)];
    }
    case 'TenderDocumentAttached':
      return [];
    case 'ClarificationRequested':
      return [
        r.open(buyerId, `clarify:${e.data.clarificationId}`, 'answer_clarification', `A supplier asked: ${e.data.question}`, {
          role: 'procurement',
        }),
      ];
    case 'ClarificationAnswered':
      return [r.close(buyerId, `clarify:${e.data.clarificationId}`)];
  }
}

function contractChanges(e: ContractEvent, since: string): InboxOp[] {
  const { contractId } = e.data;
  const r = resourceOps(`contract:${contractId}`, `/contracts/${contractId}`, since);
  const signItems = (required: RequiredSignature[], why: string) =>
    required.map((s) => r.open(s.companyId, `sign:${s.role}`, 'sign_contract', `${why}: sign as ${s.role}`, { role: s.role }));
  // Kept while the contract is in force, shown only while a renewal is proposed (see above).
  const renewalItems = (required: { companyId: string; role: string }[]) =>
    required.map((s) =>
      r.open(s.companyId, `renewal:${s.role}`, 'sign_renewal', `A renewal of the contract needs your signature as ${s.role}`, { role: s.role }),
    );
  switch (e.type) {
    case 'ContractDrafted':
      return signItems(e.data.terms.requiredSignatures, `Contract drafted (terms version ${e.data.termsVersion})`);
    case 'ContractAmended':
      // Every signature is void and the required ones may have changed (an intermediary named or dropped).
      return [r.closeAll('sign:'), ...signItems(e.data.terms.requiredSignatures, `Contract amended (terms version ${e.data.termsVersion})`)];
    case 'ContractSigned':
      // The same event signs a draft or a renewal; closing a key that is not there changes nothing.
      return [r.close(e.data.companyId, `sign:${e.data.role}`), r.close(e.data.companyId, `renewal:${e.data.role}`)];
    case 'ContractExecuted':
      return [r.closeAll('sign:'), r.deadline(e.data.terms.endDate, 'Contract ends'), ...renewalItems(e.data.terms.requiredSignatures)];
    case 'ContractRenewalProposed':
      return [r.open(RESOURCE_ROWS, 'proposed', 'renewal_proposed', `Renewal to ${iso(e.data.newEndDate)} proposed`)];
    case 'ContractRenewed':
      // Every required role signed this round: the signatures name them all, ready for the next renewal.
      return [r.close(RESOURCE_ROWS, 'proposed'), r.deadline(e.data.endDate, 'Contract ends'), ...renewalItems(e.data.signatures)];
    case 'ContractTerminated':
    case 'ContractExpired':
      return [r.closeAll()];
    case 'CallOffPlaced':
      // A call-off is in force when placed: no step waits for the supplier.
      return [];
  }
}

function ticketChanges(e: TicketEvent, since: string): InboxOp[] {
  const { ticketId, supplierId } = e.data;
  const r = resourceOps(`ticket:${ticketId}`, `/tickets/${ticketId}`, since);
  switch (e.type) {
    case 'TicketOpened':
      return [
        r.deadline(e.data.resolutionDueAt, 'Resolution due'),
        r.open(supplierId, 'acknowledge', 'acknowledge_ticket', `A ${e.data.severity} ticket on ${e.data.sku}: acknowledge it`, {
          dueAt: e.data.responseDueAt,
        }),
      ];
    case 'TicketAcknowledged':
      return [r.close(supplierId, 'acknowledge'), r.open(supplierId, 'resolve', 'resolve_ticket', 'Acknowledged ticket: resolve it')];
    case 'TicketResolved':
      return [r.close(supplierId, 'acknowledge'), r.close(supplierId, 'resolve'), r.close(RESOURCE_ROWS, 'due')];
    case 'TicketReopened':
      return [r.deadline(e.data.resolutionDueAt, 'Resolution due'), r.open(supplierId, 'resolve', 'resolve_ticket', `Ticket reopened: ${e.data.reason}`)];
    case 'TicketClosed':
      return [r.closeAll()];
    case 'TicketEscalated':
    case 'TicketDocumentAttached':
    case 'SlaBreached':
      // Still to do, and already sorted first by its passed due time.
      return [];
  }
}

const OFFER_TYPES = new Set([
  'OfferDrafted',
  'OfferSubmitted',
  'OfferCountered',
  'OfferRevised',
  'OfferAccepted',
  'OfferRejected',
  'OfferWithdrawn',
  'OfferExpired',
]);
const TENDER_TYPES = new Set([
  'TenderOpened',
  'SuppliersInvited',
  'BidSubmitted',
  'BidWithdrawn',
  'TenderClosed',
  'BidEvaluated',
  'TenderAwarded',
  'TenderCancelled',
  'AwardComplaintFiled',
  'AwardComplaintResolved',
  'AwardAnnulled',
  'AwardFinalised',
  'LotCancelled',
  'ClarificationRequested',
  'ClarificationAnswered',
]);
const CONTRACT_TYPES = new Set([
  'ContractDrafted',
  'ContractAmended',
  'ContractSigned',
  'ContractExecuted',
  'CallOffPlaced',
  'ContractRenewalProposed',
  'ContractRenewed',
  'ContractTerminated',
  'ContractExpired',
]);
const TICKET_TYPES = new Set(['TicketOpened', 'TicketAcknowledged', 'TicketEscalated', 'TicketResolved', 'TicketReopened', 'TicketClosed', 'SlaBreached']);

/** How one event changes the inbox (directory and resale events change nothing). */
export function inboxChanges(event: InboxEvent): InboxOp[] {
  const since = iso(event.occurredAt);
  const e: unknown = { type: event.type, data: event.data };
  if (OFFER_TYPES.has(event.type)) return offerChanges(e as OfferEvent, since);
  if (TENDER_TYPES.has(event.type)) return tenderChanges(e as TenderEvent, since);
  if (CONTRACT_TYPES.has(event.type)) return contractChanges(e as ContractEvent, since);
  if (TICKET_TYPES.has(event.type)) return ticketChanges(e as TicketEvent, since);
  return [];
}

/** The map key of an item: company and key, as the table's primary key. */
export const itemId = (companyId: string, key: string) => `${companyId} ${key}`;

/** Applies ops as the table does: `open` upserts, `close` deletes one key (of one company or all), `closeAll` deletes by key prefix. */
export function applyInboxOps(items: Map<string, InboxItem>, ops: InboxOp[]): Map<string, InboxItem> {
  for (const op of ops) {
    if ('open' in op) items.set(itemId(op.open.companyId, op.open.key), op.open);
    else if ('close' in op) {
      const { companyId, key } = op.close;
      if (companyId !== undefined) items.delete(itemId(companyId, key));
      else for (const [id, item] of items) if (item.key === key) items.delete(id);
    } else for (const [id, item] of items) if (item.key.startsWith(op.closeAll.keyPrefix)) items.delete(id);
  }
  return items;
}

const isAction = (kind: InboxKind): kind is ActionKind => (INBOX_KINDS as readonly string[]).includes(kind);
/** `offer:<id>:answer` → `offer:<id>`: where the item's resource rows are. */
export const resourcePrefix = (key: string) => key.split(':', 2).join(':');

/** Urgency: due time (none last), then age, then key so that the order is total. */
export function byUrgency(a: InboxEntry, b: InboxEntry): number {
  const due = (x: InboxEntry) => x.dueAt ?? NO_DUE;
  return cmp(due(a), due(b)) || cmp(a.since, b.since) || cmp(a.key, b.key);
}
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * What `viewer` is shown of the inbox, most urgent first: its company's items for roles it holds
 * (or for anyone), due times and ages resolved through resource rows, renewal signatures only
 * while a renewal is proposed, and items that are gone at their due time hidden after `now`.
 */
export function inboxView(
  items: Map<string, InboxItem>,
  viewer: { companyId: string; roles: string[] },
  opts: { kind?: ActionKind; now?: string } = {},
): InboxEntry[] {
  const entries: InboxEntry[] = [];
  for (const i of items.values()) {
    if (i.companyId !== viewer.companyId || !isAction(i.kind) || (opts.kind && i.kind !== opts.kind)) continue;
    if (i.role !== null && !viewer.roles.includes(i.role)) continue;
    const base = resourcePrefix(i.key);
    let since = i.since;
    if (i.kind === 'sign_renewal') {
      const proposal = items.get(itemId(RESOURCE_ROWS, `${base}:proposed`));
      if (!proposal) continue;
      since = proposal.since;
    }
    const dueAt = i.dueAt ?? items.get(itemId(RESOURCE_ROWS, `${base}:due`))?.dueAt ?? null;
    if (opts.now && GONE_WHEN_DUE.includes(i.kind) && (dueAt ?? NO_DUE) <= opts.now) continue;
    entries.push({ key: i.key, kind: i.kind, role: i.role, resource: i.resource, reason: i.reason, dueAt, since });
  }
  return entries.sort(byUrgency);
}

/** A page's `after`: the last entry's place in the order (due time or `NO_DUE`, since, key), as base64url JSON. */
export interface InboxCursor {
  due: string;
  since: string;
  key: string;
}

export function encodeInboxCursor(e: Pick<InboxEntry, 'dueAt' | 'since' | 'key'>): string {
  return Buffer.from(JSON.stringify({ d: e.dueAt ?? NO_DUE, s: e.since, k: e.key })).toString('base64url');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// Keys are `<resource>:<uuid>:<what>[:<more>]`: nothing else (no control characters) reaches SQL.
const KEY = /^[a-z]+:[0-9a-f-]{36}(:[A-Za-z0-9_.-]+)+$/;

/** The decoded cursor, or null for anything `encodeInboxCursor` cannot have made. */
export function decodeInboxCursor(cursor: string): InboxCursor | null {
  try {
    const { d, s, k } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { d?: unknown; s?: unknown; k?: unknown };
    if (typeof d !== 'string' || typeof s !== 'string' || typeof k !== 'string') return null;
    if ((d !== NO_DUE && !ISO_TIME.test(d)) || !ISO_TIME.test(s) || k.length > 300 || !KEY.test(k)) return null;
    return { due: d, since: s, key: k };
  } catch {
    return null;
  }
}

/** The decoded `after` of `GET /inbox`; 400 problem+json for a cursor no page gave. */
export function checkedInboxCursor(after: string | undefined): InboxCursor | undefined {
  if (after === undefined) return undefined;
  const c = decodeInboxCursor(after);
  if (c === null) throw invalid('list.bad_cursor', 'after must be a cursor from a previous page');
  return c;
}
