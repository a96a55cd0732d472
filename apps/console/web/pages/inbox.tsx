import type { Json } from '../api';
import { consoleLink, Countdown, Loading, LoadMore, Page, ProblemMessage, usePaged, When } from '../ui';

const VERBS: Record<string, string> = {
  answer_offer: 'Answer the offer',
  revise_offer: 'Revise the offer',
  submit_bid: 'Bid',
  close_tender: 'Close the tender',
  evaluate_bid: 'Evaluate a bid',
  award_tender: 'Award the tender',
  sign_contract: 'Sign',
  sign_renewal: 'Sign the renewal',
  acknowledge_ticket: 'Acknowledge the ticket',
  resolve_ticket: 'Resolve the ticket',
};

/** What waits for the signed-in person, most urgent first; each item opens where it is acted on. */
export function InboxPage() {
  const inbox = usePaged<Json>('relationships', '/inbox?limit=100');
  return (
    <Page title="Inbox" subtitle="What waits for you, most urgent first. It updates by itself as events arrive.">
      <ProblemMessage problem={inbox.error} />
      {!inbox.data && !inbox.error && <Loading what="your inbox" />}
      {inbox.data && inbox.data.items.length === 0 && <p class="empty">Nothing waits for you.</p>}
      {inbox.data && inbox.data.items.length > 0 && (
        <ol class="inbox" aria-label="Pending actions">
          {inbox.data.items.map((item) => (
            <li key={item.key} class={`inbox-item kind-${item.kind}`} data-kind={item.kind}>
              <a href={consoleLink(item.resource)}>
                <span class="inbox-verb">{VERBS[item.kind] ?? item.kind.replace(/_/g, ' ')}</span>
                <span class="inbox-reason">{item.reason}</span>
              </a>
              <span class="inbox-due">
                {item.dueAt ? (
                  <>
                    due <When at={item.dueAt} /> · <Countdown to={item.dueAt} />
                  </>
                ) : (
                  <span class="muted">no deadline</span>
                )}
                {item.role && <span class="badge">as {item.role}</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
      <LoadMore more={!!inbox.data?.next} busy={inbox.busy} onClick={() => void inbox.more()} what="waiting actions" />
    </Page>
  );
}
