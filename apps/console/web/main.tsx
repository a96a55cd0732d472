// The console's shell: sign-in, then a header with who is signed in, the sections, and the page
// the address names (hash routes, so a link or a reload opens the same page).
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { onSessionChange, session, signOut } from './api';
import { useRoute } from './ui';
import { SignIn } from './pages/signin';
import { InboxPage } from './pages/inbox';
import { OffersPage, OfferPage } from './pages/offers';
import { TendersPage, TenderPage, NewTenderPage } from './pages/tenders';
import { ContractsPage, ContractPage } from './pages/contracts';
import { RelationshipsPage, RelationshipPage } from './pages/relationships';
import { LotsPage, ProvenancePage } from './pages/provenance';
import { TicketsPage, TicketPage, NewTicketPage } from './pages/tickets';
import { AccountsPage, AccountPage, OpportunityPage } from './pages/accounts';

const SECTIONS: [string, string][] = [
  ['inbox', 'Inbox'],
  ['offers', 'Offers'],
  ['tenders', 'Tenders'],
  ['contracts', 'Contracts'],
  ['relationships', 'Relationships'],
  ['lots', 'Lots'],
  ['tickets', 'Tickets'],
  ['accounts', 'Accounts'],
];

function Routed() {
  const { parts, query } = useRoute();
  // After moving to another page, focus its title, so a screen reader announces it and the
  // keyboard goes on from there (not on the first page after signing in).
  const path = parts.length ? parts.join('/') : 'inbox';
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    setTimeout(() => document.getElementById('page-title')?.focus(), 0);
  }, [path]);
  const [section, id, sub] = parts;
  switch (section ?? 'inbox') {
    case 'inbox':
      return <InboxPage />;
    case 'offers':
      return id ? <OfferPage key={id} id={id} /> : <OffersPage query={query} />;
    case 'tenders':
      return id === 'new' ? <NewTenderPage /> : id ? <TenderPage key={id} id={id} /> : <TendersPage query={query} />;
    case 'contracts':
      return id ? <ContractPage key={id} id={id} /> : <ContractsPage query={query} />;
    case 'relationships':
      return id ? <RelationshipPage key={id} other={id} query={query} /> : <RelationshipsPage />;
    case 'lots':
      return <LotsPage />;
    case 'provenance':
      return <ProvenancePage key={id} lotId={id} />;
    case 'tickets':
      return id === 'new' ? <NewTicketPage query={query} /> : id ? <TicketPage key={id} id={id} /> : <TicketsPage query={query} />;
    case 'accounts':
      return id ? <AccountPage key={id} id={id} /> : <AccountsPage />;
    case 'opportunities':
      return id ? <OpportunityPage key={id} id={id} /> : <AccountsPage />;
    default:
      return (
        <section class="page">
          <h1 id="page-title">Not found</h1>
          <p>
            There is no page {section}
            {sub ? `/${sub}` : ''}. <a href="#/inbox">Go to the inbox</a>.
          </p>
        </section>
      );
  }
}

function Shell() {
  const [s, setS] = useState(session());
  const { parts } = useRoute();
  useEffect(() => onSessionChange(() => setS(session())), []);
  if (!s) return <SignIn />;
  // Pages under another section's entry: provenance under lots, an opportunity under its accounts.
  const active = parts[0] === 'provenance' ? 'lots' : parts[0] === 'opportunities' ? 'accounts' : (parts[0] ?? 'inbox');
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <div class="brand">Deal Ledger</div>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([path, label]) => (
              <li key={path}>
                <a href={`#/${path}`} aria-current={active === path ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who" aria-label="Signed in as">
          <span class="who-name">{s.personName ?? 'Company key'}</span>
          <span class="who-company">{s.companyName}</span>
          <span class="who-roles">{s.roles.length ? s.roles.join(', ') : 'no signing role'}</span>
          <button type="button" class="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routed />
      </main>
    </>
  );
}

render(<Shell />, document.getElementById('app')!);
