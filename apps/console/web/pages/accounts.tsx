// Account-based selling, private to your company: the accounts it targets and the pipeline they
// feed; one account with its team, the buying committee as mapped (now and at any past time),
// touches and opportunities; and one opportunity with every stage it reached.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { call, get, Json, post, Problem, queryOf, session, shortId } from '../api';
import {
  ActionButton,
  CommandForm,
  Company,
  dateOnly,
  Exact,
  Facts,
  fromLocalInput,
  InputField,
  Loading,
  LoadMore,
  navigate,
  Page,
  PersonName,
  ProblemMessage,
  SelectField,
  StatusBadge,
  TextAreaField,
  Toggle,
  toLocalInput,
  useCompanyName,
  useDebounced,
  useKept,
  useLive,
  usePaged,
  When,
} from '../ui';

// As the accounts app names them (libs/events, accounts.events.ts).
const TIERS = ['strategic', 'key', 'growth'];
const TEAM_PARTS = ['account_lead', 'sales', 'technical', 'legal', 'executive_sponsor'];
const DECISION_ROLES = ['user', 'influencer', 'technical_evaluator', 'decider', 'approver', 'gatekeeper', 'government_representative'];
const STANCES = ['champion', 'supporter', 'neutral', 'sceptic', 'opponent'];
const TOUCH_CHANNELS = ['conference', 'demonstration', 'direct_mail', 'email', 'call', 'visit', 'trade_publication', 'linkedin'];
/** The open stages in order; `lost` is reachable from any of them. */
const LADDER = ['identified', 'contacted', 'qualified', 'offer', 'negotiation', 'won'];
/** The stages a person moves an opportunity to; offer, negotiation and won follow the ledger's deal. */
const BY_HAND = ['contacted', 'qualified'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (s: string) => UUID.test(s.trim());

/** "technical_evaluator" -> "technical evaluator". */
const words = (s: string) => s.replace(/_/g, ' ');
const choices = (values: string[]): [string, string][] => values.map((v) => [v, words(v)]);
/** Person ids typed as a list, separated by commas or spaces. */
const idList = (text: string) => text.split(/[\s,]+/).filter(Boolean);
const days = (n: number | null) => (n === null ? '—' : `${n} day${n === 1 ? '' : 's'}`);

interface Target {
  kind: 'company' | 'prospect' | 'industry';
  companyId: string | null;
  name: string | null;
  registrationNumber: string | null;
  country: string | null;
  naceCode: string | null;
}

/** A contact's name, e-mail and profile as the app opens them, or `erased` once their key is gone. */
type Contact = { status: 'present'; name: string; email: string; profileUrl?: string } | { status: 'erased' };

interface Stakeholder {
  stakeholderId: string;
  personId: string | null;
  contact: Contact | null;
  position: string;
  role: string;
  stance: string;
  lastTouchAt: string | null;
}

interface Account {
  accountId: string;
  sellerId: string;
  target: Target;
  /** The target's company, or the one its prospect registered as; null for an industry or an unregistered prospect. */
  companyId: string | null;
  tier: string;
  ownerId: string;
  team: { personId: string; part: string }[];
  committee: Stakeholder[];
  missingRoles: string[];
  touches: number;
}

// ---- targets ----

/** What an account targets, by name: a company's from the directory, a prospect's or industry's as written. */
function TargetName({ target }: { target: Target }) {
  if (target.kind === 'company') return <Company id={target.companyId} />;
  return <span>{target.name}</span>;
}

function targetDetail(t: Target): string {
  if (t.kind === 'company') return 'registered company';
  if (t.kind === 'prospect') return `prospect, ${t.country} ${t.registrationNumber}`;
  return `industry, NACE ${t.naceCode}`;
}

/** The target's name as a string, for titles. */
function useTargetName(target: Target | undefined): string {
  const company = useCompanyName(target?.kind === 'company' ? target.companyId : null);
  if (!target) return '';
  return target.kind === 'company' ? company : (target.name ?? '');
}

/** An account named by its target, read once (for where only its id is known). */
function AccountName({ id }: { id: string }) {
  const account = useLive(() => get<Account>('accounts', `/accounts/${id}`), [id], 0);
  return account.data ? <TargetName target={account.data.target} /> : <span title={id}>{shortId(id)}</span>;
}

/** A link to an account, named from the rows at hand or else read. */
function AccountLink({ id, known }: { id: string; known?: Map<string, Json> }) {
  const row = known?.get(id);
  return <a href={`#/accounts/${id}`}>{row ? <TargetName target={row.target} /> : <AccountName id={id} />}</a>;
}

/** Amounts per currency, one a line. */
function PerCurrency({ value }: { value: Record<string, string> }) {
  const entries = Object.entries(value);
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <span class="per-currency">
      {entries.map(([currency, amount]) => (
        <span key={currency}>
          <Exact amount={amount} currency={currency} />
        </span>
      ))}
    </span>
  );
}

// ---- the accounts list, targeting one, the pipeline and campaigns ----

export function AccountsPage() {
  const me = session();
  const list = usePaged('accounts', `/accounts?${queryOf({ limit: 50 })}`);
  const rows = list.data?.items ?? [];
  const known = new Map(rows.map((a) => [a.accountId as string, a]));

  return (
    <Page
      title="Accounts"
      subtitle="The companies, prospects and industries your company targets, and the pipeline they feed. Only your company sees any of it."
    >
      {!me?.personId && <p class="notice">Accounts are worked by people: sign in with your own key, not the company's, to target and work them.</p>}

      <section aria-labelledby="accounts-h">
        <h2 id="accounts-h">Your accounts</h2>
        <ProblemMessage problem={list.error} />
        {!list.data && !list.error && <Loading what="your accounts" />}
        {list.data && rows.length === 0 && <p class="empty">No account targeted yet.</p>}
        {rows.length > 0 && (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Your accounts, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Tier</th>
                  <th scope="col">Owner</th>
                  <th scope="col" class="num">
                    Team
                  </th>
                  <th scope="col" class="num">
                    Stakeholders
                  </th>
                  <th scope="col">Last touch</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => (
                  <tr key={a.accountId} data-account-id={a.accountId} data-kind={a.target.kind} data-tier={a.tier}>
                    <td>
                      <a href={`#/accounts/${a.accountId}`}>
                        <TargetName target={a.target} />
                      </a>
                      <div class="muted">{targetDetail(a.target)}</div>
                    </td>
                    <td>{words(a.tier)}</td>
                    <td>{me && <PersonName companyId={me.companyId} personId={a.ownerId} />}</td>
                    <td class="num">{a.team}</td>
                    <td class="num">{a.stakeholders}</td>
                    <td>{a.lastTouchAt ? <When at={a.lastTouchAt} /> : <span class="muted">none yet</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore more={!!list.data?.next} busy={list.busy} onClick={list.more} what="accounts" />
      </section>

      <section aria-labelledby="target-h">
        <h2 id="target-h">Target an account</h2>
        <TargetForm />
      </section>

      <Pipeline known={known} />

      <Campaigns />
    </Page>
  );
}

function TargetForm() {
  const me = session();
  const [kind, setKind] = useState<Target['kind']>('company');
  const [companyId, setCompanyId] = useState('');
  const [name, setName] = useState('');
  const [registrationNumber, setRegistrationNumber] = useState('');
  const [country, setCountry] = useState('');
  const [naceCode, setNaceCode] = useState('');
  const [tier, setTier] = useState('key');
  const [ownerId, setOwnerId] = useState(me?.personId ?? '');
  // Only the fields of the chosen kind: the app refuses a target with another kind's.
  const target = () => {
    if (kind === 'company') {
      if (!isUuid(companyId)) throw new Problem(0, 'Company id needed', "give the registered company's id as the directory shows it");
      return { kind, companyId: companyId.trim() };
    }
    if (kind === 'prospect') return { kind, name: name.trim(), registrationNumber: registrationNumber.trim(), country: country.trim().toUpperCase() };
    return { kind, naceCode: naceCode.trim().toUpperCase(), name: name.trim() };
  };
  return (
    <CommandForm
      label="Target account"
      submit={() => post('accounts', '/accounts', { target: target(), tier, ownerId: ownerId.trim() })}
      done={(a: Json) => navigate(`/accounts/${a.accountId}`)}
    >
      <div class="form-row">
        <SelectField
          label="Target kind"
          value={kind}
          onChange={(v) => setKind(v as Target['kind'])}
          options={[
            ['company', 'company (registered in the directory)'],
            ['prospect', 'prospect (not registered yet)'],
            ['industry', 'industry (NACE)'],
          ]}
        />
        <SelectField label="Tier" value={tier} onChange={setTier} options={choices(TIERS)} />
        <InputField label="Owner" hint="the id of a person of your company; you by default" type="text" required value={ownerId} onChange={setOwnerId} />
      </div>
      {kind === 'company' && (
        <InputField label="Company id" hint="the registered company's id in the directory" type="text" required value={companyId} onChange={setCompanyId} />
      )}
      {kind === 'prospect' && (
        <div class="form-row">
          <InputField label="Prospect name" type="text" required maxLength={300} value={name} onChange={setName} />
          <InputField
            label="Registration number"
            hint="as registered, such as HRB 98765: the account follows the company once it registers"
            type="text"
            required
            maxLength={64}
            value={registrationNumber}
            onChange={setRegistrationNumber}
          />
          <InputField label="Country" hint="ISO 3166 code, such as DE" type="text" required maxLength={2} value={country} onChange={setCountry} />
        </div>
      )}
      {kind === 'industry' && (
        <div class="form-row">
          <InputField
            label="NACE code"
            hint="a section, division, group or class: C, 29, 29.3 or 29.32"
            type="text"
            required
            maxLength={5}
            value={naceCode}
            onChange={setNaceCode}
          />
          <InputField label="Industry name" type="text" required maxLength={300} value={name} onChange={setName} />
        </div>
      )}
    </CommandForm>
  );
}

// ---- the pipeline ----

interface PipelineReport {
  stageWeights: Record<string, number>;
  pipeline: { currency: string; stages: { stage: string; count: number; value: string; weighted: string }[]; openWeighted: string }[];
  conversion: { from: string; to: string; reached: number; converted: number; rate: number | null }[];
  cycleTimes: { stage: string; left: number; medianDays: number | null; meanDays: number | null }[];
  outcomes: { won: number; lost: number; winRate: number | null; lossReasons: { reason: string; count: number }[] };
  contracted: { currency: string; contracts: number; value: string; wonExpectedValue: string; wonWithoutContract: number }[];
  attribution: Record<'firstTouch' | 'lastTouch', { channel: string; opportunities: number; won: number; wonValue: Record<string, string> }[]>;
  staleAccounts: { days: number; accounts: { accountId: string; lastTouchAt: string | null; daysSince: number | null }[] };
  coverage: { accountId: string; mapped: number; missingRoles: string[] }[];
}

function Pipeline({ known }: { known: Map<string, Json> }) {
  const [stale, setStale] = useState('30');
  // Sent only as the API takes it (1 to 3650 days): a half-typed value asks nothing new.
  const typed = useDebounced(stale.trim());
  const staleDays = /^\d{1,4}$/.test(typed) && Number(typed) >= 1 && Number(typed) <= 3650 ? typed : '';
  const live = useLive(() => get<PipelineReport>('accounts', `/pipeline?${queryOf({ staleDays })}`), [staleDays]);
  const r = useKept(live.data);

  return (
    <section aria-labelledby="pipeline-h">
      <h2 id="pipeline-h">Pipeline</h2>
      <ProblemMessage problem={live.error} />
      {!r && !live.error && <Loading what="the pipeline" />}
      {r && (
        <>
          <section aria-labelledby="pipeline-stages-h">
            <h3 id="pipeline-stages-h">Stages</h3>
            {r.pipeline.length === 0 && <p class="empty">No opportunity yet: open one on an account.</p>}
            {r.pipeline.map((c) => (
              <div class="table-wrap" key={c.currency}>
                <table data-currency={c.currency}>
                  <caption>In {c.currency}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Stage</th>
                      <th scope="col" class="num">
                        Opportunities
                      </th>
                      <th scope="col" class="num">
                        Value
                      </th>
                      <th scope="col" class="num">
                        Chance
                      </th>
                      <th scope="col" class="num">
                        Weighted value
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.stages.map((s) => (
                      <tr key={s.stage} data-stage={s.stage}>
                        <th scope="row">{words(s.stage)}</th>
                        <td class="num" data-count={s.count}>
                          {s.count}
                        </td>
                        <td class="num">
                          <Exact amount={s.value} currency={c.currency} />
                        </td>
                        <td class="num">{r.stageWeights[s.stage]} %</td>
                        <td class="num">
                          <Exact amount={s.weighted} currency={c.currency} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row" colSpan={4}>
                        Open pipeline, weighted
                      </th>
                      <td class="num" data-open-weighted={c.openWeighted}>
                        <Exact amount={c.openWeighted} currency={c.currency} />
                      </td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            ))}
          </section>

          <div class="grid-2">
            <section aria-labelledby="pipeline-conversion-h">
              <h3 id="pipeline-conversion-h">Conversion</h3>
              <p class="muted">Of the opportunities that reached a stage, how many reached the next (or went past it).</p>
              <table>
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col" class="num">
                      Reached
                    </th>
                    <th scope="col" class="num">
                      Converted
                    </th>
                    <th scope="col" class="num">
                      Rate
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.conversion.map((c) => (
                    <tr key={c.from} data-from={c.from}>
                      <th scope="row">{words(c.from)}</th>
                      <td>{words(c.to)}</td>
                      <td class="num">{c.reached}</td>
                      <td class="num">{c.converted}</td>
                      <td class="num">{c.rate === null ? '—' : `${c.rate} %`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>

            <section aria-labelledby="pipeline-cycle-h">
              <h3 id="pipeline-cycle-h">Cycle times</h3>
              <p class="muted">Days spent in each stage, by the opportunities that left it.</p>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Stage</th>
                    <th scope="col" class="num">
                      Left it
                    </th>
                    <th scope="col" class="num">
                      Median
                    </th>
                    <th scope="col" class="num">
                      Mean
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.cycleTimes.map((c) => (
                    <tr key={c.stage} data-stage={c.stage}>
                      <th scope="row">{words(c.stage)}</th>
                      <td class="num">{c.left}</td>
                      <td class="num">{days(c.medianDays)}</td>
                      <td class="num">{days(c.meanDays)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>

          <section aria-labelledby="pipeline-outcomes-h">
            <h3 id="pipeline-outcomes-h">Won and lost</h3>
            <Facts
              rows={[
                ['Won', <span data-won={r.outcomes.won}>{r.outcomes.won}</span>],
                ['Lost', <span data-lost={r.outcomes.lost}>{r.outcomes.lost}</span>],
                ['Win rate', r.outcomes.winRate === null ? <span class="muted">none closed yet</span> : `${r.outcomes.winRate} %`],
                ...r.contracted.map((c): [string, ComponentChildren] => [
                  `Signed (${c.currency})`,
                  <span data-contracted={c.currency}>
                    {c.contracts} contract(s) in force, <Exact amount={c.value} currency={c.currency} /> against{' '}
                    <Exact amount={c.wonExpectedValue} currency={c.currency} /> expected
                    {c.wonWithoutContract > 0 ? `; ${c.wonWithoutContract} won without a contract in force yet` : ''}
                  </span>,
                ]),
              ]}
            />
            {r.outcomes.lossReasons.length > 0 && (
              <>
                <h4>Loss reasons</h4>
                <ul>
                  {r.outcomes.lossReasons.map((l) => (
                    <li key={l.reason} data-count={l.count}>
                      {l.reason}: {l.count}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>

          <section aria-labelledby="pipeline-attribution-h">
            <h3 id="pipeline-attribution-h">Channel attribution</h3>
            <p class="muted">
              For every opportunity that reached the offer stage: its account's first touch ever, and the last touch before the offer, counted per channel.
            </p>
            <div class="grid-2">
              {(['firstTouch', 'lastTouch'] as const).map((which) => (
                <div class="table-wrap" key={which}>
                  <table data-attribution={which}>
                    <caption>{which === 'firstTouch' ? 'First touch' : 'Last touch'}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Channel</th>
                        <th scope="col" class="num">
                          Opportunities
                        </th>
                        <th scope="col" class="num">
                          Won
                        </th>
                        <th scope="col" class="num">
                          Won value
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {r.attribution[which].length === 0 && (
                        <tr>
                          <td colSpan={4} class="empty">
                            No opportunity with a touch before its offer yet.
                          </td>
                        </tr>
                      )}
                      {r.attribution[which].map((a) => (
                        <tr key={a.channel} data-channel={a.channel}>
                          <th scope="row">{words(a.channel)}</th>
                          <td class="num">{a.opportunities}</td>
                          <td class="num">{a.won}</td>
                          <td class="num">
                            <PerCurrency value={a.wonValue} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ))}
            </div>
          </section>

          <section aria-labelledby="pipeline-stale-h">
            <h3 id="pipeline-stale-h">Stale accounts</h3>
            <div class="filters">
              <InputField label="No touch in (days)" type="number" min={1} max={3650} step={1} value={stale} onChange={setStale} />
            </div>
            {r.staleAccounts.accounts.length === 0 ? (
              <p class="empty">Every account was touched in the last {days(r.staleAccounts.days)}.</p>
            ) : (
              <ul>
                {r.staleAccounts.accounts.map((a) => (
                  <li key={a.accountId} data-account-id={a.accountId}>
                    <AccountLink id={a.accountId} known={known} />:{' '}
                    {a.lastTouchAt ? (
                      <>
                        last touched <When at={a.lastTouchAt} /> ({days(a.daysSince)} ago)
                      </>
                    ) : (
                      'never touched'
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="pipeline-coverage-h">
            <h3 id="pipeline-coverage-h">Committee coverage</h3>
            {r.coverage.length === 0 ? (
              <p class="empty">No account of a company or prospect yet.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Account</th>
                      <th scope="col" class="num">
                        Stakeholders mapped
                      </th>
                      <th scope="col">Decision roles nobody plays</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.coverage.map((c) => (
                      <tr key={c.accountId} data-account-id={c.accountId} data-missing-roles={c.missingRoles.join(' ')}>
                        <td>
                          <AccountLink id={c.accountId} known={known} />
                        </td>
                        <td class="num">{c.mapped}</td>
                        <td>{c.missingRoles.length ? c.missingRoles.map(words).join(', ') : <span class="muted">all covered</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </section>
  );
}

// ---- campaigns ----

interface Campaign {
  campaignId: string;
  name: string;
  channel: string;
  startsAt: string;
}

const campaignLabel = (c: Campaign) => `${c.name} (${words(c.channel)}, from ${dateOnly(c.startsAt)})`;

function Campaigns() {
  const campaigns = useLive(() => get<Campaign[]>('accounts', '/campaigns'), []);
  const [name, setName] = useState('');
  const [channel, setChannel] = useState('conference');
  const [startsAt, setStartsAt] = useState('');
  const list = campaigns.data ?? [];
  return (
    <section aria-labelledby="campaigns-h">
      <h2 id="campaigns-h">Campaigns</h2>
      <p class="muted">A campaign groups touches of one channel: a trade fair, a mailing, a series of publications.</p>
      <ProblemMessage problem={campaigns.error} />
      {!campaigns.data && !campaigns.error && <Loading what="your campaigns" />}
      {campaigns.data && list.length === 0 && <p class="empty">No campaign yet.</p>}
      {list.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Your campaigns, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Channel</th>
                <th scope="col">Starts</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.campaignId} data-campaign-id={c.campaignId}>
                  <td>{c.name}</td>
                  <td>{words(c.channel)}</td>
                  <td>
                    <When at={c.startsAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Launch a campaign</h3>
      <CommandForm
        label="Launch campaign"
        submit={() => post('accounts', '/campaigns', { name: name.trim(), channel, startsAt: fromLocalInput(startsAt) })}
        done={() => {
          setName('');
          setStartsAt('');
          void campaigns.reload();
        }}
      >
        <div class="form-row">
          <InputField label="Campaign name" type="text" required maxLength={300} value={name} onChange={setName} />
          <SelectField label="Campaign channel" value={channel} onChange={setChannel} options={choices(TOUCH_CHANNELS)} />
          <InputField label="Starts" type="datetime-local" required value={startsAt} onChange={setStartsAt} />
        </div>
      </CommandForm>
    </section>
  );
}

// ---- one account ----

/** A stakeholder by name: a contact's as mapped, a directory person's from their company. */
function StakeholderName({ s, companyId }: { s: Stakeholder; companyId: string | null }) {
  if (s.contact?.status === 'present') return <span>{s.contact.name}</span>;
  if (s.contact) return <span class="muted">erased contact</span>;
  if (companyId && s.personId) return <PersonName companyId={companyId} personId={s.personId} />;
  return <span title={s.personId ?? ''}>{shortId(s.personId ?? '')}</span>;
}

/** What the map holds of them: a directory person, or a contact's data (present or erased). */
function ContactData({ s }: { s: Stakeholder }) {
  if (!s.contact) return <span>directory person</span>;
  if (s.contact.status === 'erased') return <strong>erased</strong>;
  const { email, profileUrl } = s.contact;
  return (
    <>
      present
      <div>
        <a href={`mailto:${email}`}>{email}</a>
      </div>
      {/* The app takes https URLs only; anything else is not made a link. */}
      {profileUrl && /^https:\/\//i.test(profileUrl) && (
        <div>
          <a href={profileUrl} target="_blank" rel="noopener noreferrer">
            profile
          </a>
        </div>
      )}
    </>
  );
}

export function AccountPage({ id }: { id: string }) {
  const me = session();
  const account = useLive(() => get<Account>('accounts', `/accounts/${id}`), [id]);
  const a = account.data;
  const name = useTargetName(a?.target);
  const [panel, setPanel] = useState<string | null>(null);

  if (!a)
    return (
      <Page title="Account">
        <ProblemMessage problem={account.error} />
        {!account.error && <Loading what="the account" />}
      </Page>
    );

  const done = () => {
    setPanel(null);
    void account.reload();
  };
  const industry = a.target.kind === 'industry';
  const path = `/accounts/${a.accountId}`;

  return (
    <Page
      title={`Account: ${name}`}
      subtitle={
        <>
          Account <span class="hash">{shortId(a.accountId)}</span> · {words(a.tier)} tier · {targetDetail(a.target)}
        </>
      }
      actions={
        <a class="button secondary" href="#/accounts">
          All accounts
        </a>
      }
    >
      <ProblemMessage problem={account.error} />
      {!me?.personId && <p class="notice">Accounts are worked by people: sign in with your own key, not the company's, to change this one.</p>}
      <div data-account-id={a.accountId} data-kind={a.target.kind} data-tier={a.tier}>
        <Facts
          rows={[
            [
              'Target',
              <>
                <TargetName target={a.target} /> <span class="muted">({targetDetail(a.target)})</span>
              </>,
            ],
            a.target.kind === 'prospect' && [
              'Registered as',
              a.companyId ? <Company id={a.companyId} /> : <span class="muted">not registered yet: the account follows the company once it is</span>,
            ],
            ['Tier', words(a.tier)],
            ['Owner', <PersonName companyId={a.sellerId} personId={a.ownerId} />],
            ['Touches recorded', <span data-touches={a.touches}>{a.touches}</span>],
          ]}
        />
      </div>

      <section aria-labelledby="team-h">
        <h2 id="team-h">Team</h2>
        {a.team.length === 0 ? (
          <p class="empty">Nobody is on the account team yet.</p>
        ) : (
          <div class="table-wrap">
            <table class="narrow">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Part</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {a.team.map((t) => (
                  <tr key={t.personId} data-person-id={t.personId} data-part={t.part}>
                    <td>
                      <PersonName companyId={a.sellerId} personId={t.personId} />
                      {t.personId === a.ownerId && <span class="muted"> (owner)</span>}
                    </td>
                    <td>{words(t.part)}</td>
                    <td>
                      {/* The owner stays on the team. */}
                      {t.personId !== a.ownerId && (
                        <ActionButton
                          label="Take off the team"
                          kind="secondary"
                          run={() => post('accounts', `${path}/team/${t.personId}/release`)}
                          done={done}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h3>Add to the team</h3>
        <TeamForm path={path} done={done} />
      </section>

      <section aria-labelledby="committee-h">
        <h2 id="committee-h">Buying committee</h2>
        {industry ? (
          <p class="notice">An industry has no buying committee: map stakeholders on the accounts of its companies.</p>
        ) : (
          <>
            <p data-missing-roles={a.missingRoles.join(' ')}>
              {a.missingRoles.length ? (
                <>
                  Nobody on your map plays: <strong>{a.missingRoles.map(words).join(', ')}</strong>.
                </>
              ) : (
                'Every decision role is played by someone on your map.'
              )}
            </p>
            {a.committee.length === 0 ? (
              <p class="empty">No stakeholder mapped yet.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">The buying committee as you map it now</caption>
                  <thead>
                    <tr>
                      <th scope="col">Stakeholder</th>
                      <th scope="col">Position</th>
                      <th scope="col">Decision role</th>
                      <th scope="col">Stance</th>
                      <th scope="col">Contact data</th>
                      <th scope="col">Last touch</th>
                      <th scope="col">
                        <span class="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.committee.flatMap((s) => [
                      <tr
                        key={s.stakeholderId}
                        data-stakeholder-id={s.stakeholderId}
                        data-role={s.role}
                        data-stance={s.stance}
                        data-contact={s.contact?.status ?? 'none'}
                      >
                        <th scope="row">
                          <StakeholderName s={s} companyId={a.companyId} />
                        </th>
                        <td>{s.position}</td>
                        <td>{words(s.role)}</td>
                        <td>{s.stance}</td>
                        <td>
                          <ContactData s={s} />
                        </td>
                        <td>{s.lastTouchAt ? <When at={s.lastTouchAt} /> : <span class="muted">none yet</span>}</td>
                        <td>
                          <div class="actions">
                            <Toggle name={`change:${s.stakeholderId}`} label="Change role or stance" openLabel="Cancel" panel={panel} setPanel={setPanel} />
                            <ActionButton
                              label="Remove"
                              kind="secondary"
                              run={() => post('accounts', `${path}/stakeholders/${s.stakeholderId}/remove`)}
                              done={done}
                            />
                            {s.contact?.status === 'present' && (
                              <Toggle name={`erase:${s.stakeholderId}`} label="Erase contact data" openLabel="Cancel" panel={panel} setPanel={setPanel} />
                            )}
                          </div>
                        </td>
                      </tr>,
                      panel === `change:${s.stakeholderId}` && (
                        <tr key={`${s.stakeholderId}:change`}>
                          <td colSpan={7}>
                            <ChangeForm path={`${path}/stakeholders/${s.stakeholderId}`} s={s} done={done} />
                          </td>
                        </tr>
                      ),
                      panel === `erase:${s.stakeholderId}` && (
                        <tr key={`${s.stakeholderId}:erase`}>
                          <td colSpan={7}>
                            <p>Their name, e-mail and profile are deleted for good: the record stays in the log, unreadable, in every map past and present.</p>
                            <ActionButton
                              label="Confirm erasure"
                              kind="danger"
                              run={() => call('accounts', `${path}/stakeholders/${s.stakeholderId}/contact`, 'DELETE')}
                              done={done}
                            />
                          </td>
                        </tr>
                      ),
                    ])}
                  </tbody>
                </table>
              </div>
            )}
            <h3>Map a stakeholder</h3>
            <StakeholderForm account={a} path={path} done={done} />
          </>
        )}
      </section>

      {!industry && <CommitteeAsOf path={path} companyId={a.companyId} />}

      <section aria-labelledby="touch-h">
        <h2 id="touch-h">Record a touch</h2>
        <TouchForm account={a} path={path} done={done} />
      </section>

      <AccountOpportunities account={a} />
    </Page>
  );
}

function TeamForm({ path, done }: { path: string; done: () => void }) {
  const [personId, setPersonId] = useState('');
  const [part, setPart] = useState('sales');
  return (
    <CommandForm
      label="Add to the team"
      submit={() => post('accounts', `${path}/team`, { personId: personId.trim(), part })}
      done={() => {
        setPersonId('');
        done();
      }}
    >
      <div class="form-row">
        <InputField label="Team member id" hint="the id of a person of your company" type="text" required value={personId} onChange={setPersonId} />
        <SelectField label="Part" value={part} onChange={setPart} options={choices(TEAM_PARTS)} />
      </div>
    </CommandForm>
  );
}

function StakeholderForm({ account, path, done }: { account: Account; path: string; done: () => void }) {
  // A directory person needs the account's company; a prospect's people are contacts until it registers.
  const canPerson = !!account.companyId;
  const [who, setWho] = useState('contact');
  const [personId, setPersonId] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [profileUrl, setProfileUrl] = useState('');
  const [position, setPosition] = useState('');
  const [role, setRole] = useState(account.missingRoles[0] ?? 'user');
  const [stance, setStance] = useState('neutral');
  const asPerson = canPerson && who === 'person';
  return (
    <CommandForm
      label="Map stakeholder"
      submit={() =>
        post('accounts', `${path}/stakeholders`, {
          ...(asPerson
            ? { personId: personId.trim() }
            : { contact: { name: name.trim(), email: email.trim(), ...(profileUrl.trim() ? { profileUrl: profileUrl.trim() } : {}) } }),
          position: position.trim(),
          role,
          stance,
        })
      }
      done={() => {
        setPersonId('');
        setName('');
        setEmail('');
        setProfileUrl('');
        setPosition('');
        done();
      }}
    >
      {canPerson && (
        <SelectField
          label="Stakeholder is"
          value={who}
          onChange={setWho}
          options={[
            ['contact', 'a contact not in the directory (their data can be erased)'],
            ['person', "a person of the account's company in the directory"],
          ]}
        />
      )}
      {asPerson ? (
        <InputField label="Directory person id" hint="one of the account's company's people" type="text" required value={personId} onChange={setPersonId} />
      ) : (
        <div class="form-row">
          <InputField label="Contact name" type="text" required maxLength={200} autoComplete="off" value={name} onChange={setName} />
          <InputField label="Contact e-mail" type="email" required autoComplete="off" value={email} onChange={setEmail} />
          <InputField label="Profile URL" hint="optional, https" type="url" maxLength={500} value={profileUrl} onChange={setProfileUrl} />
        </div>
      )}
      <div class="form-row">
        <InputField
          label="Position at the buyer"
          hint="such as Head of purchasing"
          type="text"
          required
          maxLength={200}
          value={position}
          onChange={setPosition}
        />
        <SelectField label="Decision role" value={role} onChange={setRole} options={choices(DECISION_ROLES)} />
        <SelectField label="Stance" value={stance} onChange={setStance} options={choices(STANCES)} />
      </div>
    </CommandForm>
  );
}

function ChangeForm({ path, s, done }: { path: string; s: Stakeholder; done: () => void }) {
  const [role, setRole] = useState(s.role);
  const [stance, setStance] = useState(s.stance);
  return (
    <CommandForm label="Save role and stance" submit={() => post('accounts', path, { role, stance })} done={done}>
      <div class="form-row">
        <SelectField label="New decision role" value={role} onChange={setRole} options={choices(DECISION_ROLES)} />
        <SelectField label="New stance" value={stance} onChange={setStance} options={choices(STANCES)} />
      </div>
    </CommandForm>
  );
}

/** The committee as it was mapped at a past time: every change is an event, so any past map can be seen. */
function CommitteeAsOf({ path, companyId }: { path: string; companyId: string | null }) {
  const [asOf, setAsOf] = useState('');
  const iso = fromLocalInput(asOf);
  const past = useLive(
    () => (iso ? get<{ asOf: string; committee: Stakeholder[] }>('accounts', `${path}/committee?${queryOf({ asOf: iso })}`) : Promise.resolve(null)),
    [path, iso],
  );
  const shown = useKept(past.data ?? undefined, iso);
  return (
    <section aria-labelledby="as-of-h">
      <h2 id="as-of-h">Committee as of a date</h2>
      <div class="filters">
        <InputField
          label="As of"
          hint="the map as you had it then (an erased contact is erased in every past map too)"
          type="datetime-local"
          value={asOf}
          onChange={setAsOf}
        />
      </div>
      {!iso && <p class="muted">Choose a time to see the committee as you had mapped it then.</p>}
      <ProblemMessage problem={iso ? past.error : undefined} />
      {iso && !shown && !past.error && <Loading what="the committee as it was" />}
      {iso && shown && shown.committee.length === 0 && <p class="empty">Nobody was on your map then.</p>}
      {iso && shown && shown.committee.length > 0 && (
        <div class="table-wrap">
          <table data-as-of={shown.asOf}>
            <caption>
              As of <When at={shown.asOf} />
            </caption>
            <thead>
              <tr>
                <th scope="col">Stakeholder</th>
                <th scope="col">Position</th>
                <th scope="col">Decision role</th>
                <th scope="col">Stance</th>
                <th scope="col">Contact data</th>
              </tr>
            </thead>
            <tbody>
              {shown.committee.map((s) => (
                <tr
                  key={s.stakeholderId}
                  data-stakeholder-id={s.stakeholderId}
                  data-role={s.role}
                  data-stance={s.stance}
                  data-contact={s.contact?.status ?? 'none'}
                >
                  <th scope="row">
                    <StakeholderName s={s} companyId={companyId} />
                  </th>
                  <td>{s.position}</td>
                  <td>{words(s.role)}</td>
                  <td>{s.stance}</td>
                  <td>
                    <ContactData s={s} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TouchForm({ account, path, done }: { account: Account; path: string; done: () => void }) {
  const me = session();
  const campaigns = useLive(() => get<Campaign[]>('accounts', '/campaigns'), [], 0);
  const [channel, setChannel] = useState('call');
  // Now, to the minute: never in the future, which the app refuses.
  const [at, setAt] = useState(() => toLocalInput(new Date().toISOString()));
  const [people, setPeople] = useState(me?.personId ?? '');
  const [reached, setReached] = useState<string[]>([]);
  const [campaignId, setCampaignId] = useState('');
  const [summary, setSummary] = useState('');
  const mapped = account.committee;
  const toggle = (sid: string, on: boolean) => setReached((r) => (on ? [...r.filter((x) => x !== sid), sid] : r.filter((x) => x !== sid)));
  return (
    <CommandForm
      label="Record touch"
      submit={() => {
        if (!summary.trim()) throw new Problem(0, 'Summary needed', 'say in a few words what happened');
        return post('accounts', `${path}/touches`, {
          channel,
          at: fromLocalInput(at),
          sellerPeople: idList(people),
          // Only those still on the map: one removed meanwhile would refuse the whole touch.
          stakeholderIds: reached.filter((sid) => mapped.some((s) => s.stakeholderId === sid)),
          ...(campaignId ? { campaignId } : {}),
          summary,
        });
      }}
      done={() => {
        setReached([]);
        setSummary('');
        done();
      }}
    >
      <div class="form-row">
        <SelectField label="Channel" value={channel} onChange={setChannel} options={choices(TOUCH_CHANNELS)} />
        <InputField label="When" hint="not in the future" type="datetime-local" required value={at} onChange={setAt} />
        <SelectField
          label="Campaign"
          hint={campaigns.error ? 'your campaigns could not be read' : undefined}
          value={campaignId}
          onChange={setCampaignId}
          options={[['', 'none'], ...(campaigns.data ?? []).map((c): [string, string] => [c.campaignId, campaignLabel(c)])]}
        />
      </div>
      <InputField
        label="Your people"
        hint="ids of the people of your company who took part, separated by commas or spaces; you by default"
        type="text"
        required
        value={people}
        onChange={setPeople}
      />
      {account.target.kind !== 'industry' && (
        <fieldset class="ot-group">
          <legend>Stakeholders reached</legend>
          {mapped.length === 0 && <p class="muted">No stakeholder is mapped yet.</p>}
          {mapped.map((s) => (
            <div class="field checkbox" key={s.stakeholderId}>
              <label>
                <input
                  type="checkbox"
                  data-stakeholder-id={s.stakeholderId}
                  checked={reached.includes(s.stakeholderId)}
                  onChange={(e) => toggle(s.stakeholderId, e.currentTarget.checked)}
                />{' '}
                <StakeholderName s={s} companyId={account.companyId} /> — {s.position}
              </label>
            </div>
          ))}
        </fieldset>
      )}
      <TextAreaField label="Summary" required maxLength={2000} value={summary} onChange={setSummary} />
    </CommandForm>
  );
}

// ---- an account's opportunities ----

/** Where the deal an opportunity follows opens in the console. */
function DealLink({ deal }: { deal: { kind: string; id: string } | null }) {
  if (!deal) return <span class="muted">none yet</span>;
  return (
    <a href={`#/${deal.kind === 'tender' ? 'tenders' : 'offers'}/${deal.id}`}>
      {deal.kind} <span class="hash">{shortId(deal.id)}</span>
    </a>
  );
}

function AccountOpportunities({ account }: { account: Account }) {
  const list = usePaged('accounts', `/opportunities?${queryOf({ accountId: account.accountId, limit: 25 })}`);
  const rows = list.data?.items ?? [];
  return (
    <section aria-labelledby="opportunities-h">
      <h2 id="opportunities-h">Opportunities</h2>
      <ProblemMessage problem={list.error} />
      {!list.data && !list.error && <Loading what="the opportunities" />}
      {list.data && rows.length === 0 && <p class="empty">No opportunity with this account yet.</p>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Opportunities with this account, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Opportunity</th>
                <th scope="col">Stage</th>
                <th scope="col" class="num">
                  Expected value
                </th>
                <th scope="col">Follows</th>
                <th scope="col">Opened</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.opportunityId} data-opportunity-id={o.opportunityId} data-stage={o.stage}>
                  <td>
                    <a href={`#/opportunities/${o.opportunityId}`}>{o.title}</a>
                  </td>
                  <td>
                    <StatusBadge status={o.stage} />
                    {o.reason && <div class="muted">{o.reason}</div>}
                  </td>
                  <td class="num">
                    <Exact amount={o.expectedValue} currency={o.currency} />
                  </td>
                  <td>
                    <DealLink deal={o.deal} />
                  </td>
                  <td>
                    <When at={o.openedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!list.data?.next} busy={list.busy} onClick={list.more} what="opportunities" />
      <h3>Open an opportunity</h3>
      {account.target.kind === 'industry' ? (
        <p class="notice">An industry is no buyer: open opportunities on the accounts of its companies.</p>
      ) : (
        <OpportunityForm account={account} />
      )}
    </section>
  );
}

function OpportunityForm({ account }: { account: Account }) {
  const [title, setTitle] = useState('');
  const [expectedValue, setExpectedValue] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [expectedVolume, setExpectedVolume] = useState('');
  return (
    <CommandForm
      label="Open opportunity"
      submit={() =>
        post('accounts', '/opportunities', {
          accountId: account.accountId,
          title: title.trim(),
          expectedValue: expectedValue.trim().replace(/,/g, ''),
          currency: currency.trim().toUpperCase(),
          expectedVolume: expectedVolume.trim(),
        })
      }
      done={(o: Json) => navigate(`/opportunities/${o.opportunityId}`)}
    >
      {!account.companyId && (
        <p class="muted">The prospect has not registered yet: the opportunity moves by hand until it does, then also follows its deals in the ledger.</p>
      )}
      <InputField label="Title" type="text" required maxLength={300} value={title} onChange={setTitle} />
      <div class="form-row">
        <InputField
          label="Expected value"
          hint="a decimal amount, such as 2400000.00"
          type="text"
          inputMode="decimal"
          required
          value={expectedValue}
          onChange={setExpectedValue}
        />
        <InputField label="Currency" hint="ISO 4217, such as EUR" type="text" required maxLength={3} value={currency} onChange={setCurrency} />
        <InputField
          label="Expected volume"
          hint="in your words, such as 20,000 modules a year"
          type="text"
          required
          maxLength={300}
          value={expectedVolume}
          onChange={setExpectedVolume}
        />
      </div>
    </CommandForm>
  );
}

// ---- one opportunity ----

interface Opportunity {
  status: 'open' | 'won' | 'lost';
  opportunityId: string;
  accountId: string;
  buyerId: string | null;
  title: string;
  expectedValue: string;
  currency: string;
  stage: string;
  deal: { kind: string; id: string } | null;
  stages: { stage: string; at: string | null }[];
  /** Contracts from its deal in force, as signed. */
  contracts: { contractId: string; contractValue: string; currency: string; executedAt: string }[];
}

/**
 * Who moved it to a stage, as far as the stage tells: contacted and qualified only by hand;
 * offer, negotiation and won only by the ledger's deal; lost by hand, or by the deal once it
 * follows one (the view does not keep the move's cause).
 */
function movedBy(stage: string, first: boolean, deal: Opportunity['deal']): string {
  if (first) return 'opened';
  if (stage === 'lost') return deal ? 'by a person or by the deal' : 'by a person';
  return BY_HAND.includes(stage) ? 'by a person' : 'by the ledger (its deal)';
}

export function OpportunityPage({ id }: { id: string }) {
  const me = session();
  const live = useLive(() => get<Opportunity>('accounts', `/opportunities/${id}`), [id]);
  const o = live.data;
  // The view has no reason for a closed one; its list row does.
  const closedStage = o && o.status !== 'open' ? o.stage : '';
  const reason = useLive(
    () =>
      o && closedStage
        ? get<{ items: Json[] }>('accounts', `/opportunities?${queryOf({ accountId: o.accountId, stage: closedStage, limit: 200 })}`).then(
            (r) => (r.items.find((x) => x.opportunityId === id)?.reason as string | null | undefined) ?? null,
          )
        : Promise.resolve(null),
    [id, o?.accountId, closedStage],
    0,
  );

  if (!o)
    return (
      <Page title="Opportunity">
        <ProblemMessage problem={live.error} />
        {!live.error && <Loading what="the opportunity" />}
      </Page>
    );

  return (
    <Page
      title={`Opportunity: ${o.title}`}
      subtitle={
        <>
          Opportunity <span class="hash">{shortId(o.opportunityId)}</span>
        </>
      }
      actions={
        <a class="button secondary" href={`#/accounts/${o.accountId}`}>
          Its account
        </a>
      }
    >
      <ProblemMessage problem={live.error} />
      <div data-opportunity-id={o.opportunityId}>
        <Facts
          rows={[
            ['Account', <AccountLink id={o.accountId} />],
            ['Buyer', o.buyerId ? <Company id={o.buyerId} /> : <span class="muted">a prospect not registered yet</span>],
            [
              'Stage',
              <>
                <span data-stage={o.stage}>
                  <StatusBadge status={o.stage} />
                </span>
                {reason.data && <div>Reason: {reason.data}</div>}
              </>,
            ],
            ['Expected value', <Exact amount={o.expectedValue} currency={o.currency} />],
            [
              'Contracts in force',
              o.contracts.length === 0 ? (
                <span class="muted">none yet</span>
              ) : (
                <ul>
                  {o.contracts.map((c) => (
                    <li key={c.contractId} data-contract={c.contractId}>
                      <a href={`#/contracts/${c.contractId}`}>
                        contract <span class="hash">{shortId(c.contractId)}</span>
                      </a>
                      : <Exact amount={c.contractValue} currency={c.currency} /> signed, in force since <When at={c.executedAt} />
                    </li>
                  ))}
                </ul>
              ),
            ],
            [
              'Follows',
              o.deal ? (
                <DealLink deal={o.deal} />
              ) : (
                <span class="muted">no deal yet: from the offer stage on, it follows your offer or tender with the buyer in the ledger</span>
              ),
            ],
          ]}
        />
      </div>

      <section aria-labelledby="stages-h">
        <h2 id="stages-h">Stage history</h2>
        <ol class="timeline">
          {o.stages.map((s, i) => (
            <li key={`${i}:${s.stage}`} data-history-stage={s.stage}>
              <When at={s.at} /> — <StatusBadge status={s.stage} /> <span class="muted">{movedBy(s.stage, i === 0, o.deal)}</span>
            </li>
          ))}
        </ol>
      </section>

      {o.status === 'open' && (
        <section aria-labelledby="move-h">
          <h2 id="move-h">Move the stage</h2>
          <p class="muted">Contacted and qualified are set by hand, forward only; offer, negotiation and won follow the ledger's deal with the buyer.</p>
          {!me?.personId && <p class="notice">Stages are moved by people: sign in with your own key, not the company's.</p>}
          <MoveForm opportunity={o} done={() => void live.reload()} />
        </section>
      )}
    </Page>
  );
}

function MoveForm({ opportunity: o, done }: { opportunity: Opportunity; done: () => void }) {
  const forward = BY_HAND.filter((s) => LADDER.indexOf(s) > LADDER.indexOf(o.stage));
  const targets = [...forward, 'lost'];
  const [to, setTo] = useState(targets[0]);
  const [reason, setReason] = useState('');
  // A choice the stage has moved past meanwhile falls back to the first one left.
  const chosen = targets.includes(to) ? to : targets[0];
  return (
    <CommandForm
      label="Move stage"
      submit={() => {
        if (chosen === 'lost' && !reason.trim()) throw new Problem(0, 'Reason needed', 'say why the opportunity was lost');
        return post('accounts', `/opportunities/${o.opportunityId}/stage`, { to: chosen, ...(chosen === 'lost' ? { reason: reason.trim() } : {}) });
      }}
      done={() => {
        setReason('');
        done();
      }}
    >
      <SelectField label="Move to" value={chosen} onChange={setTo} options={choices(targets)} />
      {chosen === 'lost' && (
        <TextAreaField label="Reason" hint="why it was lost; counted in the pipeline" required maxLength={2000} value={reason} onChange={setReason} />
      )}
    </CommandForm>
  );
}
