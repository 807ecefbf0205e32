// The message line: messages received and sent, their receipts, acknowledgement
// deadlines counting down, escalations, and the compose form.

import { h, clear, reconcile, signatureOf, timeElement, formatDuration, isOperator, ms } from './util.js';

export class MessageLine {
  /**
   * @param {object} elements the form's controls and the lists (see app.js)
   * @param {{send: (message) => Promise, acknowledge: (message) => Promise, now: () => number, describeReference: (ref) => string, announce: (text) => void}} actions
   */
  constructor(elements, actions) {
    this.elements = elements;
    this.actions = actions;
    this.errors = new Map();
    this.pending = new Set();
    this.last = null;
    this.seen = null;
    this.bindCompose();
  }

  reset() {
    this.errors.clear();
    this.pending.clear();
    this.last = null;
    this.seen = null;
    this.elements.inbox.replaceChildren();
    this.elements.outbox.replaceChildren();
    this.elements.text.value = '';
    this.elements.error.hidden = true;
    this.elements.status.textContent = '';
    clear(this.elements.recipients);
  }

  // MARK: compose

  /** Fills the recipient boxes with the other parties (keeping what is ticked). */
  setParties(parties, viewer) {
    const box = this.elements.recipients;
    const ticked = new Set([...box.querySelectorAll('input:checked')].map((input) => input.value));
    clear(box);
    for (const party of parties) {
      if (party.id === viewer) continue;
      const id = `compose-to-${party.id}`;
      box.append(h('label', { class: 'recipient', for: id },
        h('input', { type: 'checkbox', id, name: 'to', value: party.id, checked: ticked.has(party.id) }),
        ` ${party.name && party.name !== party.id ? `${party.id} — ${party.name}` : party.id}`));
    }
    if (!box.children.length) box.append(h('p', { class: 'empty', text: 'No other party to write to.' }));
  }

  /** The choices of what a message is about: zones, alerts, operations, messages. */
  setReferences(choices) {
    const select = this.elements.reference;
    const current = select.value;
    clear(select);
    select.append(h('option', { value: '', text: '—' }));
    for (const [group, items] of choices) {
      if (!items.length) continue;
      const optgroup = h('optgroup', { label: group });
      for (const { value, label } of items) optgroup.append(h('option', { value, text: label }));
      select.append(optgroup);
    }
    select.value = [...select.options].some((option) => option.value === current) ? current : '';
  }

  setEnabled(enabled, reason) {
    const { fieldset, status } = this.elements;
    if (fieldset.disabled === !enabled && (enabled || status.textContent === reason)) return;
    fieldset.disabled = !enabled;
    status.textContent = enabled ? '' : reason;
    status.classList.toggle('is-note', !enabled);
  }

  bindCompose() {
    const { form, kind, ack } = this.elements;
    kind.addEventListener('change', () => {
      // A reply needs no acknowledgement unless asked for.
      ack.checked = kind.value !== 'reply';
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
  }

  /** Prepares a reply to `message`. */
  replyTo(message) {
    const { recipients, kind, ack, reference, text } = this.elements;
    for (const input of recipients.querySelectorAll('input')) input.checked = input.value === message.from;
    kind.value = 'reply';
    ack.checked = false;
    const value = `message:${message.id}`;
    if (![...reference.options].some((option) => option.value === value)) {
      reference.append(h('option', { value, text: `message ${message.id}` }));
    }
    reference.value = value;
    text.focus();
    text.scrollIntoView({ block: 'nearest' });
  }

  async send() {
    const { recipients, kind, ack, reference, text, error, status, send } = this.elements;
    const to = [...recipients.querySelectorAll('input:checked')].map((input) => input.value);
    const body = text.value.trim();
    error.hidden = true;
    status.textContent = '';
    const problems = [];
    if (!to.length) problems.push('choose at least one recipient');
    if (!body) problems.push('write the text');
    if (problems.length) {
      error.textContent = `Not sent: ${problems.join(' and ')}.`;
      error.hidden = false;
      (to.length ? text : recipients.querySelector('input') ?? text).focus();
      return;
    }
    const message = {
      id: `msg-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      kind: kind.value,
      to,
      text: body,
      requiresAcknowledgement: ack.checked,
    };
    if (reference.value) {
      const [type, ...rest] = reference.value.split(':');
      message.references = [{ [type]: rest.join(':') }];
    }
    send.disabled = true;
    status.textContent = 'Sending…';
    try {
      const sent = await this.actions.send(message);
      text.value = '';
      status.classList.remove('is-note');
      status.textContent = `Sent ${sent?.kind ?? message.kind} ${sent?.id ?? message.id} to ${to.join(', ')}.`;
    } catch (failure) {
      status.textContent = '';
      error.textContent = `Not sent: ${failure?.describe ? failure.describe() : failure}`;
      error.hidden = false;
    } finally {
      send.disabled = false;
    }
  }

  // MARK: lists

  /**
   * @param {{messages: object[], viewer: string, at: number | null}} view `at`: the
   *   replay instant (messages and receipts after it are left out), null when live
   */
  render(view) {
    this.last = view;
    const { viewer, at } = view;
    const messages = at === null ? view.messages : view.messages.filter((message) => ms(message.sentAt) <= at).map((message) => asOf(message, at));
    if (at === null) this.noticeNew(messages, viewer);
    const byTime = (a, b) => ms(b.sentAt) - ms(a.sentAt) || String(a.id).localeCompare(String(b.id));
    const inbox = messages.filter((message) => message.from !== viewer && (message.to ?? []).includes(viewer)).sort(byTime);
    // The operator sees every message: listed as sent, by whoever sent it.
    const outbox = messages.filter((message) => message.from === viewer || (isOperator(viewer) && !inbox.includes(message))).sort(byTime);
    for (const [list, items, box] of [[this.elements.inbox, inbox, 'inbox'], [this.elements.outbox, outbox, 'outbox']]) {
      reconcile(list, items, {
        key: (message) => message.id,
        signature: (message) => signatureOf(message, viewer, at, box, this.errors.get(message.id), this.pending.has(message.id),
          (message.references ?? []).map(this.actions.describeReference)),
        build: (message) => this.build(message, box, view),
      });
    }
    this.elements.inboxCount.textContent = `(${inbox.length})`;
    this.elements.outboxCount.textContent = `(${outbox.length})`;
    document.getElementById('outbox-label').textContent = isOperator(viewer) ? 'All messages' : 'Sent';
    this.elements.inboxEmpty.hidden = inbox.length > 0;
    this.elements.outboxEmpty.hidden = outbox.length > 0;
    const waiting = inbox.filter((message) => needsMyAcknowledgement(message, viewer)).length;
    this.elements.count.textContent = waiting ? String(waiting) : '';
    this.elements.count.setAttribute('aria-label', waiting ? `${waiting} to acknowledge` : '');
    this.tick();
  }

  noticeNew(messages, viewer) {
    if (this.seen === null) {
      this.seen = new Set(messages.map((message) => message.id));
      return;
    }
    for (const message of messages) {
      if (this.seen.has(message.id)) continue;
      this.seen.add(message.id);
      if (message.from !== viewer) this.actions.announce(`New ${message.kind} from ${message.from}.`);
    }
  }

  build(message, box, view) {
    const { viewer, at } = view;
    const receipts = message.receipts ?? {};
    const recipients = message.to ?? Object.keys(receipts);
    const escalated = recipients.some((party) => receipts[party]?.escalatedAt);
    const unacknowledged = recipients.filter((party) => !receipts[party]?.acknowledgedAt);
    const item = h('li', {
      class: `message kind-${message.kind} box-${box}${escalated ? ' is-escalated' : ''}`,
      tabindex: '-1',
      dataset: { messageId: message.id, messageBox: box, messageKind: message.kind, escalated: escalated ? 'true' : 'false' },
    });
    const head = h('div', { class: 'message-head' },
      h('span', { class: `message-kind kind-${message.kind}`, text: message.kind }),
      h('span', { class: 'message-route', text: box === 'inbox' ? `from ${message.from}` : `to ${recipients.join(', ')}${isOperator(viewer) ? ` (from ${message.from})` : ''}` }),
      h('span', { class: 'message-sent' }, timeElement(message.sentAt)));
    if (escalated) head.append(h('span', { class: 'badge escalated', text: 'ESCALATED' }));
    item.append(head);
    item.append(h('p', { class: 'message-text', text: message.text }));
    if (message.references?.length) {
      item.append(h('p', { class: 'message-refs', text: `About: ${message.references.map(this.actions.describeReference).join('; ')}` }));
    }

    // The deadline: counting down while someone has still to acknowledge.
    if (message.requiresAcknowledgement && message.deadline) {
      const waitingFor = box === 'inbox' ? (receipts[viewer]?.acknowledgedAt ? [] : [viewer]) : unacknowledged;
      const line = h('p', { class: 'deadline' }, 'Acknowledgement due ', timeElement(message.deadline), ' ');
      if (waitingFor.length) {
        line.append(h('span', { class: 'countdown', dataset: { deadline: message.deadline }, 'aria-live': 'off' }));
      } else {
        line.append(h('span', { class: 'badge acknowledged', text: box === 'inbox' ? 'you acknowledged' : 'all acknowledged' }));
      }
      item.append(line);
    } else if (!message.requiresAcknowledgement) {
      item.append(h('p', { class: 'deadline muted', text: 'No acknowledgement required.' }));
    }

    // Receipts, per recipient.
    const table = h('table', { class: 'receipts' },
      h('caption', { class: 'visually-hidden', text: `Receipts of ${message.id}` }),
      h('thead', {}, h('tr', {}, ['Recipient', 'Delivered', 'Acknowledged', 'Escalated'].map((title) => h('th', { scope: 'col', text: title })))));
    const body = h('tbody');
    for (const party of recipients) {
      const receipt = receipts[party] ?? {};
      body.append(h('tr', { dataset: { recipient: party } },
        h('th', { scope: 'row', text: party === viewer ? `${party} (you)` : party }),
        h('td', {}, receipt.deliveredAt ? timeElement(receipt.deliveredAt) : h('span', { class: 'muted', text: 'not yet' })),
        h('td', {}, receipt.acknowledgedAt ? timeElement(receipt.acknowledgedAt) : h('span', { class: message.requiresAcknowledgement ? 'warn-text' : 'muted', text: message.requiresAcknowledgement ? 'no' : '—' })),
        h('td', {}, receipt.escalatedAt ? h('span', { class: 'badge escalated' }, 'ESCALATED ', timeElement(receipt.escalatedAt)) : '—')));
    }
    table.append(body);
    item.append(table);

    const actions = h('div', { class: 'message-actions' });
    const pending = this.pending.has(message.id);
    if (box === 'inbox' && at === null) {
      if (needsMyAcknowledgement(message, viewer)) {
        actions.append(h('button', {
          type: 'button', class: 'primary', 'data-action': 'acknowledge', dataset: { focusKey: 'acknowledge' }, 'aria-disabled': pending ? 'true' : undefined,
          'aria-label': `Acknowledge ${message.kind} ${message.id} from ${message.from}`, text: 'Acknowledge',
          onclick: () => this.acknowledge(message),
        }));
      }
      actions.append(h('button', {
        type: 'button', 'data-action': 'reply', dataset: { focusKey: 'reply' },
        'aria-label': `Reply to ${message.id} from ${message.from}`, text: 'Reply',
        onclick: () => this.replyTo(message),
      }));
    }
    if (actions.children.length) item.append(actions);
    const error = this.errors.get(message.id);
    if (error) item.append(h('p', { class: 'item-error', role: 'alert', text: error }));
    return item;
  }

  async acknowledge(message) {
    if (this.pending.has(message.id)) return;
    this.pending.add(message.id);
    this.errors.delete(message.id);
    this.render(this.last);
    try {
      await this.actions.acknowledge(message);
    } catch (error) {
      this.errors.set(message.id, `Could not acknowledge ${message.id}: ${error?.describe ? error.describe() : error}`);
    } finally {
      this.pending.delete(message.id);
      if (this.last) this.render(this.last);
    }
  }

  /** Updates the deadline countdowns (called every second). */
  tick() {
    if (!this.last) return;
    const now = this.last.at ?? this.actions.now();
    for (const element of document.querySelectorAll('#messages .countdown[data-deadline]')) {
      const left = (ms(element.dataset.deadline) - now) / 1000;
      if (Number.isNaN(left)) {
        element.textContent = '';
        continue;
      }
      const overdue = left < 0;
      element.classList.toggle('is-overdue', overdue);
      element.closest('.message')?.classList.toggle('is-overdue', overdue);
      element.textContent = overdue ? `— OVERDUE by ${formatDuration(-left)}` : `— in ${formatDuration(left)}`;
    }
  }
}

function needsMyAcknowledgement(message, viewer) {
  return message.requiresAcknowledgement && (message.to ?? []).includes(viewer) && !message.receipts?.[viewer]?.acknowledgedAt;
}

/** The message as it stood at `at`: receipts recorded later are left out. */
function asOf(message, at) {
  const receipts = {};
  for (const [party, receipt] of Object.entries(message.receipts ?? {})) {
    const kept = {};
    for (const [name, value] of Object.entries(receipt ?? {})) {
      if (typeof value === 'string' && /At$/.test(name) && ms(value) > at) continue;
      kept[name] = value;
    }
    receipts[party] = kept;
  }
  return { ...message, receipts };
}
