// Service tickets under contracts in force: the list with running SLA clocks, opening one as the
// buyer, and one ticket with its deadlines, breaches, history and the actions of each side.
import { useState } from 'preact/hooks';
import { companyName, fetchContract, get, Json, post, Problem, queryOf, session } from '../api';
import type { Route } from '../ui';
import {
  ActionButton,
  CommandForm,
  Company,
  ContractSkus,
  Countdown,
  dateOnly,
  Facts,
  InputField,
  Loading,
  LoadMore,
  navigate,
  Page,
  PersonName,
  ProblemMessage,
  SelectField,
  SEVERITIES,
  skusOf,
  StatusBadge,
  TextAreaField,
  TextCommand,
  Toggle,
  useDebounced,
  useKept,
  useLive,
  usePaged,
  When,
} from '../ui';

const STATUSES = ['open', 'acknowledged', 'resolved', 'reopened', 'closed'] as const;
const short = (text: string, n = 60) => (text.length > n ? `${text.slice(0, n - 1).trimEnd()}…` : text);

// ---- the list ----

export function TicketsPage({ query }: { query: Route['query'] }) {
  const me = session();
  const [role, setRole] = useState(query.get('role') ?? '');
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [severity, setSeverity] = useState(query.get('severity') ?? '');
  const [atRisk, setAtRisk] = useState(query.get('slaAtRisk') ?? '');
  const [breached, setBreached] = useState(query.get('breached') ?? '');
  const [search, setSearch] = useState(query.get('q') ?? '');
  const contract = query.get('contract');
  const q = useDebounced(search);
  // Sent only as the API takes it (hours, up to 3 decimals): a half-typed value asks nothing.
  const typedAtRisk = useDebounced(atRisk);
  const slaAtRisk = /^\d{1,4}(\.\d{1,3})?$/.test(typedAtRisk) ? typedAtRisk : '';
  const list = usePaged('service-desk', `/tickets?${queryOf({ limit: 25, role, status, severity, slaAtRisk, breached, q, contract })}`);
  const shown = useKept(list.data, list.path);

  return (
    <Page
      title="Tickets"
      subtitle="Service tickets you opened as the buyer or answer as the supplier, newest first, with their running SLA clocks."
      actions={
        <a class="button" href={contract ? `#/tickets/new?contract=${contract}` : '#/tickets/new'}>
          Open a ticket
        </a>
      }
    >
      <form class="filters" role="search" aria-label="Filter tickets" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Role"
          value={role}
          onChange={setRole}
          options={[
            ['', 'Both'],
            ['buyer', 'opened by us (buyer)'],
            ['supplier', 'to answer (supplier)'],
          ]}
        />
        <SelectField label="Status" value={status} onChange={setStatus} options={[['', 'Any'], ...STATUSES]} />
        <SelectField label="Severity" value={severity} onChange={setSeverity} options={[['', 'Any'], ...SEVERITIES]} />
        <InputField
          label="SLA at risk within (hours)"
          hint="a running deadline due within this many hours"
          type="number"
          min={0}
          max={8760}
          step={0.001}
          value={atRisk}
          onChange={setAtRisk}
        />
        <SelectField
          label="Breached"
          value={breached}
          onChange={setBreached}
          options={[
            ['', 'Either'],
            ['true', 'yes'],
            ['false', 'no'],
          ]}
        />
        <InputField label="Search" hint="sku, description, counterparty name" type="search" value={search} onChange={setSearch} />
      </form>
      {contract && (
        <p>
          Under contract <a href={`#/contracts/${contract}`}>{<ContractSkus id={contract} />}</a> only. <a href="#/tickets">Show all tickets</a>
        </p>
      )}
      <ProblemMessage problem={list.error} />
      {!list.data && !list.error && <Loading what="tickets" />}
      {shown && shown.items.length === 0 && <p class="empty">No ticket matches.</p>}
      {shown && shown.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Counterparty</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Response due</th>
                <th scope="col">Resolution due</th>
                <th scope="col">Breached</th>
              </tr>
            </thead>
            <tbody>
              {shown.items.map((t) => {
                const weBuy = t.buyerId === me?.companyId;
                const breaches = (t.slaBreaches ?? []) as Json[];
                const breachedKind = (kind: string) => breaches.some((b) => b.kind === kind);
                return (
                  <tr key={t.ticketId} data-ticket-id={t.ticketId} data-status={t.status}>
                    <td>
                      <a href={`#/tickets/${t.ticketId}`}>{short(t.description)}</a>
                      <div class="muted">
                        {t.sku} · opened <When at={t.openedAt} />
                      </div>
                    </td>
                    <td>
                      <Company id={weBuy ? t.supplierId : t.buyerId} />
                      <div class="muted">{weBuy ? 'supplier' : 'buyer'}</div>
                    </td>
                    <td>{t.severity}</td>
                    <td>
                      <StatusBadge status={t.status} />
                    </td>
                    <td>
                      <Deadline due={t.openDeadlines?.response} label="Response due" stopped={breachedKind('response') ? 'breached' : 'met'} />
                    </td>
                    <td>
                      <Deadline
                        due={t.openDeadlines?.resolution}
                        label="Resolution due"
                        stopped={breachedKind('resolution') ? 'breached' : t.status === 'resolved' || t.status === 'closed' ? 'met' : 'stopped'}
                      />
                    </td>
                    <td>{t.breached ? <strong class="ct-breached-yes">yes</strong> : 'no'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!shown?.next} busy={list.busy} onClick={list.more} />
    </Page>
  );
}

/** A running deadline (its time and a live countdown), or in words why it no longer runs. */
function Deadline({ due, label, stopped }: { due: string | null | undefined; label: string; stopped: string }) {
  if (due)
    return (
      <span class="ct-deadline">
        <When at={due} />
        <br />
        <Countdown to={due} label={label} />
      </span>
    );
  return (
    <span class={`ct-sla-${stopped}`} aria-label={`${label}: ${stopped}`}>
      {stopped}
    </span>
  );
}

// ---- opening a ticket ----

interface Candidate {
  contract: Json;
  supplier: string;
}

export function NewTicketPage({ query }: { query: Route['query'] }) {
  const me = session();
  const wanted = query.get('contract');
  const options = useLive(
    async (): Promise<Candidate[]> => {
      const page = await get<{ items: Json[] }>('contracts', `/contracts?${queryOf({ role: 'buyer', status: 'in_force', limit: 200 })}`);
      const ids = page.items.map((r) => r.contractId as string);
      // The list follows the log a moment behind: the contract named in the link is asked for directly.
      if (wanted && !ids.includes(wanted)) ids.unshift(wanted);
      // Asked afresh: a view kept from before execution may have had other SLA terms.
      const found = await Promise.all(ids.map((id) => fetchContract(id).catch(() => null)));
      const usable = found.filter((c): c is Json => !!c && c.status === 'executed' && c.terms.buyerId === me?.companyId);
      return Promise.all(usable.map(async (c) => ({ contract: c, supplier: await companyName(c.terms.supplierId) })));
    },
    [wanted],
    0,
  );
  const [contractId, setContractId] = useState(wanted ?? '');
  const [sku, setSku] = useState('');
  const [severity, setSeverity] = useState('');
  const [description, setDescription] = useState('');

  const list = options.data ?? [];
  const chosen = list.find((o) => o.contract.contractId === contractId) ?? list[0];
  const items = (chosen?.contract.terms.items ?? []) as Json[];
  const sla = (chosen?.contract.terms.sla ?? []) as Json[];
  const severities = SEVERITIES.filter((s) => sla.some((x) => x.severity === s));
  // Choices that the chosen contract does not offer fall back to its first one.
  const effSku = items.some((i) => i.sku === sku) ? sku : (items[0]?.sku ?? '');
  const effSeverity = severities.includes(severity as (typeof SEVERITIES)[number]) ? severity : (severities[0] ?? '');
  const wantedMissing = wanted && options.data && !list.some((o) => o.contract.contractId === wanted);

  return (
    <Page
      title="Open a ticket"
      subtitle="A service request to the supplier under a contract in force; the contract's SLA sets its response and resolution deadlines."
    >
      {!session()?.personId && <p class="notice">Tickets are opened by people: sign in with your own key, not the company's.</p>}
      <ProblemMessage problem={options.error} />
      {!options.data && !options.error && <Loading what="your contracts in force" />}
      {wantedMissing && <p class="notice">The contract in the link is not one in force with your company as the buyer; choose another below.</p>}
      {options.data && list.length === 0 && (
        <p class="empty">
          Your company has no contract in force as the buyer: tickets are opened under one. <a href="#/contracts">See your contracts</a>.
        </p>
      )}
      {chosen && (
        <CommandForm
          label="Open ticket"
          submit={() => {
            if (!description.trim()) throw new Problem(0, 'Description needed', 'describe the fault so the supplier can respond');
            return post('service-desk', '/tickets', { contractId: chosen.contract.contractId, sku: effSku, severity: effSeverity, description });
          }}
          done={(t: Json) => navigate(`/tickets/${t.ticketId}`)}
        >
          <SelectField
            label="Contract"
            value={chosen.contract.contractId}
            onChange={setContractId}
            options={list.map((o) => [o.contract.contractId, `${o.supplier} — ${skusOf(o.contract)} (until ${dateOnly(o.contract.terms.endDate)})`])}
          />
          <div class="form-row">
            <SelectField label="SKU" value={effSku} onChange={setSku} options={items.map((i) => [i.sku, `${i.sku} — ${i.description}`])} />
            <SelectField
              label="Severity"
              hint={severities.length ? undefined : 'this contract agrees no service level: no ticket can be opened under it'}
              value={effSeverity}
              onChange={setSeverity}
              options={severities.map((s) => {
                const t = sla.find((x) => x.severity === s)!;
                return [s, `${s} (response within ${t.responseHours} h, resolution within ${t.resolutionHours} h)`];
              })}
            />
          </div>
          <TextAreaField label="Description" required maxLength={4000} value={description} onChange={setDescription} />
        </CommandForm>
      )}
    </Page>
  );
}

// ---- one ticket ----

export function TicketPage({ id }: { id: string }) {
  const me = session();
  const t = useLive(() => get('service-desk', `/tickets/${id}`), [id]);
  const data = t.data;
  const myCompany = me?.companyId ?? '';
  const history = useLive(() => get<{ items: TicketStep[] }>('service-desk', `/tickets/${id}/history`).then((r) => r.items), [id]);
  const [panel, setPanel] = useState<string | null>(null);

  if (!data)
    return (
      <Page title="Ticket">
        <ProblemMessage problem={t.error} />
        {!t.error && <Loading what="the ticket" />}
      </Page>
    );

  const breaches = (data.slaBreaches ?? []) as Json[];
  const late = (at: string | null, due: string) => !!at && Date.parse(at) > Date.parse(due);
  // Response: met once acknowledged in time; breached when the clock recorded it or the answer came late.
  const responseBreached = breaches.some((b) => b.kind === 'response') || late(data.acknowledgedAt, data.responseDueAt);
  const responded = data.acknowledgedAt !== null || data.status !== 'open';
  const response = responseBreached ? 'breached' : responded ? 'met' : null;
  // Resolution: the current deadline (a reopening sets a new one).
  const resolutionBreached = breaches.some((b) => b.kind === 'resolution' && b.dueAt === data.resolutionDueAt) || late(data.resolvedAt, data.resolutionDueAt);
  const resolved = data.status === 'resolved' || data.status === 'closed';
  const resolution = resolutionBreached ? 'breached' : resolved ? 'met' : null;

  const isSupplier = data.supplierId === myCompany && !!me?.personId;
  const isBuyer = data.buyerId === myCompany && !!me?.personId;
  // A command adds a step to the history as well as changing the ticket.
  const close = () => (setPanel(null), void Promise.all([t.reload(), history.reload()]));
  const canAck = isSupplier && data.status === 'open';
  const canEscalate = isSupplier && ['open', 'acknowledged', 'reopened'].includes(data.status);
  const canResolve = isSupplier && ['acknowledged', 'reopened'].includes(data.status);
  const canReopen = isBuyer && data.status === 'resolved';
  const canClose = isBuyer && data.status === 'resolved';
  const anyAction = canAck || canEscalate || canResolve || canReopen || canClose;
  // A step that says something: `field` carries the text.
  const command = (step: string, field: string) => (text: string) => post('service-desk', `/tickets/${id}/${step}`, { [field]: text });

  return (
    <Page title={`Ticket: ${short(data.description)}`}>
      <ProblemMessage problem={t.error} />
      <Facts
        rows={[
          [
            'Contract',
            <a href={`#/contracts/${data.contractId}`}>
              Contract <ContractSkus id={data.contractId} />
            </a>,
          ],
          ['Buyer', <Company id={data.buyerId} />],
          ['Supplier', <Company id={data.supplierId} />],
          ['SKU', data.sku],
          ['Severity', data.severity],
          ['Status', <StatusBadge status={data.status} />],
          [
            'Opened',
            <>
              <When at={data.openedAt} /> by <PersonName companyId={data.buyerId} personId={data.openedBy} />
            </>,
          ],
          // The title shows it whole unless it is long.
          short(data.description) !== data.description && ['Description', <span class="ct-pre-wrap">{data.description}</span>],
          ['Escalation level', data.escalations ? String(data.escalations) : 'not escalated'],
          !!data.reopenings && ['Reopened', `${data.reopenings} time${data.reopenings === 1 ? '' : 's'}`],
          data.status === 'closed' && ['Satisfaction', `${data.satisfaction} of 5`],
        ]}
      />

      <section aria-labelledby="sla-h">
        <h2 id="sla-h">SLA</h2>
        <Facts
          rows={[
            ['Response due', <SlaClock due={data.responseDueAt} label="Response due" outcome={response} at={data.acknowledgedAt} verb="acknowledged" />],
            [
              'Resolution due',
              <SlaClock due={data.resolutionDueAt} label="Resolution due" outcome={resolution} at={resolved ? data.resolvedAt : null} verb="resolved" />,
            ],
          ]}
        />
        <h3>Breaches</h3>
        {breaches.length === 0 ? (
          <p class="empty">No SLA breach recorded.</p>
        ) : (
          <ul class="ct-breaches">
            {breaches.map((b) => (
              <li key={`${b.kind}@${b.dueAt}`} data-kind={b.kind}>
                <strong>{b.kind} deadline breached</strong> (was due <When at={b.dueAt} />)
              </li>
            ))}
          </ul>
        )}
      </section>

      {anyAction && (
        <section aria-labelledby="actions-h">
          <h2 id="actions-h">Actions</h2>
          <div class="actions">
            {canAck && <ActionButton label="Acknowledge" run={() => post('service-desk', `/tickets/${id}/acknowledge`, {})} done={close} />}
            {canResolve && <Toggle name="resolve" label="Resolve" openLabel="Cancel" panel={panel} setPanel={setPanel} kind="primary" />}
            {canEscalate && <Toggle name="escalate" label="Escalate" openLabel="Cancel" panel={panel} setPanel={setPanel} />}
            {canReopen && <Toggle name="reopen" label="Reopen" openLabel="Cancel" panel={panel} setPanel={setPanel} />}
            {canClose && <Toggle name="close" label="Close" openLabel="Cancel" panel={panel} setPanel={setPanel} kind="primary" />}
          </div>
          {canResolve && panel === 'resolve' && (
            <TextCommand label="Mark resolved" field="Resolution" maxLength={4000} submit={command('resolve', 'resolution')} done={close} />
          )}
          {canEscalate && panel === 'escalate' && (
            <TextCommand
              label="Escalate ticket"
              field="Note"
              hint="why it needs more attention"
              maxLength={4000}
              submit={command('escalate', 'note')}
              done={close}
            />
          )}
          {canReopen && panel === 'reopen' && (
            <TextCommand
              label="Reopen ticket"
              field="Reason"
              hint="the resolution clock runs again from now"
              maxLength={4000}
              submit={command('reopen', 'reason')}
              done={close}
            />
          )}
          {canClose && panel === 'close' && <CloseForm id={id} done={close} />}
        </section>
      )}

      <section aria-labelledby="history-h">
        <h2 id="history-h">History</h2>
        <ProblemMessage problem={history.data ? undefined : history.error} />
        {!history.data && !history.error && <Loading what="the history" />}
        {history.data && history.data.length === 0 && <p class="empty">No step recorded yet.</p>}
        {history.data && history.data.length > 0 && (
          <ol class="timeline ct-history">
            {history.data.map((step, i) => (
              <li key={`${i}:${step.type}`} data-type={step.type}>
                <When at={step.at} /> — <StepText step={step} ticket={data} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </Page>
  );
}

/** One step of the ticket's history, as the service desk records it (`ticketHistory`). */
interface TicketStep {
  type: string;
  at: string;
  by: string | null;
  details: Json;
}

/** What was said at a step (resolution, note, reason, comment), quoted as written. */
const Said = ({ text }: { text: unknown }) => <q class="ct-pre-wrap">{String(text)}</q>;

/** A step in words, with who did it (the buyer opens, reopens and closes; the supplier answers). */
function StepText({ step, ticket }: { step: TicketStep; ticket: Json }) {
  const d = step.details;
  const who = (companyId: string) => (
    <>
      <PersonName companyId={companyId} personId={step.by} /> (<Company id={companyId} />)
    </>
  );
  const buyer = who(ticket.buyerId);
  const supplier = who(ticket.supplierId);
  const sla = (withinSla: unknown, deadline: string) => (withinSla ? `within the ${deadline} deadline` : `after the ${deadline} deadline`);
  switch (step.type) {
    case 'TicketOpened':
      return (
        <>
          Opened by {buyer} as {d.severity} for {d.sku}: <Said text={d.description} />
        </>
      );
    case 'TicketAcknowledged':
      return (
        <>
          Acknowledged by {supplier}, {sla(d.withinSla, 'response')}.
        </>
      );
    case 'TicketEscalated':
      return (
        <>
          Escalated to level {d.level} by {supplier}
          {/* The note is the supplier's own: the buyer's history has none. */}
          {d.note !== undefined ? (
            <>
              : <Said text={d.note} />
            </>
          ) : (
            '.'
          )}
        </>
      );
    case 'TicketResolved':
      return (
        <>
          Resolved by {supplier}, {sla(d.withinSla, 'resolution')}: <Said text={d.resolution} />
        </>
      );
    case 'TicketReopened':
      return (
        <>
          Reopened by {buyer}: <Said text={d.reason} />; resolution now due <When at={d.resolutionDueAt} />.
        </>
      );
    case 'TicketClosed':
      return (
        <>
          Closed by {buyer}, satisfaction {d.satisfaction} of 5
          {d.comment ? (
            <>
              : <Said text={d.comment} />
            </>
          ) : (
            ', with no comment.'
          )}
        </>
      );
    case 'SlaBreached':
      return (
        <>
          <strong class="ct-sla-breached">The {d.kind} deadline was breached</strong> (it was due <When at={d.dueAt} />
          ).
        </>
      );
    default:
      return <>{step.type}</>;
  }
}

/** A deadline still running counts down; once met or breached it says so in words. */
function SlaClock({ due, label, outcome, at, verb }: { due: string; label: string; outcome: string | null; at: string | null; verb: string }) {
  if (!outcome)
    return (
      <span class="ct-deadline">
        <When at={due} /> · <Countdown to={due} label={label} />
      </span>
    );
  return (
    <span>
      <When at={due} /> ·{' '}
      <strong class={`ct-sla-${outcome}`} aria-label={`${label}: ${outcome}`}>
        {outcome}
      </strong>
      {at && (
        <>
          {' '}
          ({verb} <When at={at} />)
        </>
      )}
    </span>
  );
}

const SATISFACTION = ['1 — very dissatisfied', '2 — dissatisfied', '3 — neutral', '4 — satisfied', '5 — very satisfied'];

function CloseForm({ id, done }: { id: string; done: () => void }) {
  const [satisfaction, setSatisfaction] = useState('');
  const [comment, setComment] = useState('');
  return (
    <CommandForm
      label="Close ticket"
      submit={() => {
        if (!satisfaction) throw new Problem(0, 'Satisfaction needed', 'choose how satisfied you are with the service, from 1 to 5');
        return post('service-desk', `/tickets/${id}/close`, { satisfaction: Number(satisfaction), ...(comment.trim() ? { comment } : {}) });
      }}
      done={done}
    >
      <div class="form-row">
        <SelectField
          label="Satisfaction"
          value={satisfaction}
          onChange={setSatisfaction}
          options={[['', 'Choose 1 to 5'], ...SATISFACTION.map((text, i): [string, string] => [String(i + 1), text])]}
        />
      </div>
      <TextAreaField label="Comment" hint="optional" maxLength={4000} value={comment} onChange={setComment} />
    </CommandForm>
  );
}
