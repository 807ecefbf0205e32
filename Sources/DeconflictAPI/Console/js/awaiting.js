// Who has not answered: the addressees of open alerts that have not acknowledged them, and
// the recipients of messages that asked for an acknowledgement and have not given it (once
// the deadline is near or past), grouped by party, the longest waiting first. Each entry
// leads to its alert or message.

import { h, reconcile, signatureOf, timeElement, formatDuration, ms } from './util.js';
import { routingOf } from './alerts.js';

/** A message's acknowledgement counts as awaited this long before its deadline. */
const NEAR_DEADLINE_MS = 5 * 60_000;

/**
 * The entries waiting for an answer at `now` (ms), by party, each group and each list
 * oldest first.
 * @returns {{party: string, entries: {type: 'alert' | 'message', id: string, since: number, deadline: number | null, escalatedAt: number | null, label: string, note: string}[]}[]}
 */
export function awaitedAnswers({ alerts, messages, now, agreements, zoneLabel = (id) => id, unitLabel = (id) => id }) {
  const byParty = new Map();
  const add = (party, entry) => {
    if (!byParty.has(party)) byParty.set(party, []);
    byParty.get(party).push(entry);
  };
  const acknowledgementSeconds = new Map((agreements ?? []).map((agreement) => [agreement.id, agreement.parameters?.acknowledgementSeconds]));
  for (const alert of alerts ?? []) {
    if (alert.state === 'resolved') continue;
    const raised = ms(alert.raisedAt);
    const seconds = alert.agreement ? acknowledgementSeconds.get(alert.agreement) : undefined;
    const subject = [alert.units?.length ? alert.units.map(unitLabel).join(', ') : null, alert.zone ? zoneLabel(alert.zone) : null].filter(Boolean).join(' · ');
    for (const entry of routingOf(alert)) {
      // An addressee told for information only owes no answer.
      if (entry.acknowledgedAt || entry.mustAcknowledge === false) continue;
      add(entry.party, {
        type: 'alert',
        id: alert.id,
        since: raised,
        deadline: typeof seconds === 'number' ? raised + seconds * 1000 : null,
        escalatedAt: entry.escalatedAt ? ms(entry.escalatedAt) : null,
        label: `${alert.kind} alert ${alert.id}`,
        note: [subject, entry.answersFor ? `answers for ${entry.answersFor}` : null, entry.confirmed === false ? 'unconfirmed' : null].filter(Boolean).join(' · '),
      });
    }
  }
  for (const message of messages ?? []) {
    if (!message.requiresAcknowledgement) continue;
    if (ms(message.sentAt) > now) continue;
    const deadline = message.deadline ? ms(message.deadline) : null;
    if (deadline !== null && deadline - now > NEAR_DEADLINE_MS) continue;
    const receipts = message.receipts ?? {};
    for (const party of message.to ?? Object.keys(receipts)) {
      const receipt = receipts[party] ?? {};
      if (receipt.acknowledgedAt && ms(receipt.acknowledgedAt) <= now) continue;
      add(party, {
        type: 'message',
        id: message.id,
        since: ms(message.sentAt),
        deadline,
        escalatedAt: receipt.escalatedAt && ms(receipt.escalatedAt) <= now ? ms(receipt.escalatedAt) : null,
        label: `${message.kind} ${message.id} from ${message.from}`,
        note: receipt.deliveredAt && ms(receipt.deliveredAt) <= now ? 'delivered' : 'not yet delivered',
      });
    }
  }
  const groups = [...byParty.entries()].map(([party, entries]) => ({
    party,
    entries: entries.sort((a, b) => a.since - b.since || a.id.localeCompare(b.id)),
  }));
  return groups.sort((a, b) => a.entries[0].since - b.entries[0].since || a.party.localeCompare(b.party));
}

/**
 * Draws the groups into `list`.
 * @param {{list: HTMLElement, empty: HTMLElement, count: HTMLElement}} elements
 * @param {{groups: ReturnType<typeof awaitedAnswers>, viewer: string, now: number, replay: boolean, open: (entry) => void}} view
 */
export function renderAwaiting({ list, empty, count }, { groups, viewer, now, replay, open }) {
  reconcile(list, groups, {
    key: (group) => group.party,
    signature: (group) => signatureOf(group, viewer, replay),
    build: (group) => {
      const titleId = `awaiting-party-${group.party}`;
      const item = h('li', { class: 'awaiting-party', dataset: { party: group.party }, 'aria-labelledby': titleId });
      item.append(h('h3', { id: titleId, class: 'awaiting-title' },
        group.party === viewer ? `${group.party} (you)` : group.party,
        h('span', { class: 'count', text: ` ${group.entries.length} waiting` })));
      const entries = h('ul', { class: 'awaiting-entries' });
      for (const entry of group.entries) {
        const row = h('li', { class: 'awaiting-entry', dataset: {
          type: entry.type, id: entry.id, party: group.party, since: new Date(entry.since).toISOString(),
          deadline: entry.deadline !== null ? new Date(entry.deadline).toISOString() : undefined,
        } });
        row.append(h('a', {
          href: entry.type === 'alert' ? `#alert-title-${entry.id}` : '#messages-section',
          class: 'awaiting-link',
          dataset: { action: 'open' },
          'aria-label': `${entry.label}, waiting for ${group.party} since ${new Date(entry.since).toISOString()}`,
          onclick: (event) => {
            event.preventDefault();
            open(entry);
          },
          text: entry.label,
        }));
        const facts = h('span', { class: 'awaiting-facts' }, ' since ', timeElement(entry.since), ' ', h('span', { class: 'awaiting-age' }));
        if (entry.deadline !== null) {
          facts.append(' · due ', timeElement(entry.deadline), h('span', { class: 'badge escalated awaiting-overdue', text: 'overdue', hidden: true }));
        }
        if (entry.escalatedAt !== null) facts.append(h('span', { class: 'badge escalated' }, 'ESCALATED ', timeElement(entry.escalatedAt)));
        row.append(facts);
        if (entry.note) row.append(h('span', { class: 'awaiting-note', text: entry.note }));
        entries.append(row);
      }
      item.append(entries);
      return item;
    },
  });
  tickAwaiting(list, now);
  const total = groups.reduce((sum, group) => sum + group.entries.length, 0);
  count.textContent = total ? String(total) : '';
  count.setAttribute('aria-label', total ? `${total} waiting` : '');
  empty.hidden = groups.length > 0;
  empty.textContent = replay ? 'Everyone had answered at this instant.' : 'Everyone has answered: no acknowledgement is awaited.';
}

/** How long each entry has waited at `now` (ms), and whether it is overdue. */
export function tickAwaiting(list, now) {
  for (const row of list.querySelectorAll('.awaiting-entry[data-since]')) {
    const age = row.querySelector('.awaiting-age');
    const waited = (now - Date.parse(row.dataset.since)) / 1000;
    if (age) age.textContent = Number.isFinite(waited) ? `(${formatDuration(Math.max(0, waited))})` : '';
    const overdue = row.dataset.deadline ? Date.parse(row.dataset.deadline) <= now : false;
    row.classList.toggle('is-overdue', overdue);
    const badge = row.querySelector('.awaiting-overdue');
    if (badge) badge.hidden = !overdue;
  }
}
