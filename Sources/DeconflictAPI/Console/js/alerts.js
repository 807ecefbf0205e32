// The alert list: every alert addressed to the signed-in party, with its addressees'
// acknowledgements and the Acknowledge and Resolve actions.

import { h, reconcile, signatureOf, timeElement, formatDuration, formatDistance, ms } from './util.js';

const STATE_ORDER = { raised: 0, acknowledged: 1, resolved: 2 };

const KIND_HELP = {
  incursion: 'a unit entered a zone it is excluded from',
  approach: 'a unit’s projected track enters a zone',
  dwell: 'a unit stays inside a zone beyond the threshold',
  'build-up': 'units gather inside a zone beyond the threshold',
  separation: 'units of different parties closer than the agreed minimum',
  'stale-track': 'a unit’s reports stopped',
  conformance: 'a unit is outside its declared operation',
  'late-notice': 'notice of an operation given later than agreed',
  'agreement-withdrawn': 'a signatory withdrew from an agreement',
  'zone-revalidation': 'a zone must be revalidated',
};

export class AlertList {
  /**
   * @param {{list: HTMLElement, empty: HTMLElement, count: HTMLElement, showResolved: HTMLInputElement}} elements
   * @param {{acknowledge: (alert) => Promise, resolve: (alert, reason) => Promise, askReason: (alert) => Promise<string | null>, show: (alert) => void, canShow: (alert) => boolean, announce: (text: string) => void}} actions
   */
  constructor(elements, actions) {
    this.elements = elements;
    this.actions = actions;
    this.errors = new Map();
    this.pending = new Set();
    this.seen = null; // ids seen while live; null before the first live list
    this.fresh = new Map(); // id → when it appeared
    this.last = null;
    elements.showResolved.addEventListener('change', () => this.last && this.render(this.last));
  }

  reset() {
    this.errors.clear();
    this.pending.clear();
    this.seen = null;
    this.fresh.clear();
    this.last = null;
    this.elements.list.replaceChildren();
  }

  /**
   * @param {{alerts: object[], viewer: string, replay: boolean, unitLabel: (id) => string, zoneLabel: (id) => string}} view
   */
  render(view) {
    this.last = view;
    const { alerts, replay } = view;
    if (!replay) this.noticeNew(alerts);
    const showResolved = this.elements.showResolved.checked;
    const sorted = [...alerts]
      .filter((alert) => showResolved || alert.state !== 'resolved')
      .sort((a, b) => (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3) || ms(b.raisedAt) - ms(a.raisedAt) || String(a.id).localeCompare(String(b.id)));
    reconcile(this.elements.list, sorted, {
      key: (alert) => alert.id,
      signature: (alert) => signatureOf(alert, view.viewer, replay, this.errors.get(alert.id), this.pending.has(alert.id),
        alert.units.map(view.unitLabel), alert.zone && view.zoneLabel(alert.zone), this.actions.canShow(alert), view.etaOf(alert)),
      build: (alert) => this.build(alert, view),
    });
    const open = alerts.filter((alert) => alert.state !== 'resolved').length;
    this.elements.count.textContent = open ? String(open) : '';
    this.elements.count.setAttribute('aria-label', open ? `${open} open` : '');
    this.elements.empty.hidden = sorted.length > 0;
    this.elements.empty.textContent = alerts.length > 0 && sorted.length === 0
      ? 'Only resolved alerts: tick “Show resolved” to list them.'
      : replay ? 'No alert addressed to your party at this instant.' : 'No alerts addressed to your party.';
  }

  noticeNew(alerts) {
    const now = Date.now();
    if (this.seen === null) {
      this.seen = new Set(alerts.map((alert) => alert.id));
      return;
    }
    for (const alert of alerts) {
      if (this.seen.has(alert.id)) continue;
      this.seen.add(alert.id);
      this.fresh.set(alert.id, now);
      this.actions.announce(`New ${alert.kind} alert ${alert.id}.`);
    }
  }

  build(alert, view) {
    const { viewer, replay } = view;
    const routing = Array.isArray(alert.routing) ? alert.routing : alert.addressees.map((party) => ({ party, confirmed: true }));
    const mine = routing.find((entry) => entry.party === viewer);
    const addressed = alert.addressees.includes(viewer);
    const item = h('li', {
      class: `alert state-${alert.state} kind-${alert.kind}`,
      tabindex: '-1',
      dataset: { alertId: alert.id, alertState: alert.state, alertKind: alert.kind },
      'aria-labelledby': `alert-title-${alert.id}`,
    });
    const freshAt = this.fresh.get(alert.id);
    if (freshAt && Date.now() - freshAt < 10_000) {
      item.classList.add('is-new');
      setTimeout(() => item.classList.remove('is-new'), 10_000 - (Date.now() - freshAt));
    }

    item.append(h('div', { class: 'alert-head', id: `alert-title-${alert.id}` },
      h('span', { class: 'alert-kind', title: KIND_HELP[alert.kind] ?? '', text: alert.kind }),
      h('span', { class: `badge state-${alert.state}`, text: alert.state }),
      h('span', { class: 'alert-id', text: alert.id }),
      h('span', { class: 'alert-raised' }, 'raised ', timeElement(alert.raisedAt))));

    const subject = [];
    if (alert.units.length) subject.push(alert.units.map(view.unitLabel).join(', '));
    if (alert.party && alert.kind === 'build-up') subject.push(`forces of ${alert.party}`);
    if (alert.zone) subject.push(`zone ${view.zoneLabel(alert.zone)}`);
    if (alert.operation) subject.push(`operation ${alert.operation}`);
    if (alert.agreement && !alert.zone) subject.push(`agreement ${alert.agreement}`);
    item.append(h('p', { class: 'alert-subject', text: subject.join(' · ') || '—' }));

    const eta = alert.state === 'resolved' || !['approach', 'separation'].includes(alert.kind) ? null : view.etaOf(alert);
    const metrics = describeMetrics(alert, eta !== null);
    if (metrics || eta !== null) {
      const line = h('p', { class: 'alert-metrics' });
      if (eta !== null) {
        line.append(alert.kind === 'separation' ? 'closest approach ' : 'ETA ', timeElement(eta),
          ' ', h('span', { class: 'eta-countdown', dataset: { eta: new Date(eta).toISOString() } }));
        if (metrics) line.append(' · ');
      }
      if (metrics) line.append(metrics);
      item.append(line);
    }

    if (alert.unconfirmedRouting) {
      item.append(h('p', { class: 'alert-warning', text: 'Routing unconfirmed: a party concerned has nobody confirmed to answer for it; this alert may not reach anyone responsible.' }));
    }

    const addressees = h('ul', { class: 'addressees', 'aria-label': 'Addressees' });
    for (const entry of routing) {
      const row = h('li', { class: 'addressee', dataset: { party: entry.party, acknowledged: entry.acknowledgedAt ? 'true' : 'false' } });
      row.append(h('span', { class: 'addressee-party', text: entry.party === viewer ? `${entry.party} (you)` : entry.party }));
      if (entry.answersFor) row.append(h('span', { class: 'addressee-note', text: ` answers for ${entry.answersFor}` }));
      if (!entry.confirmed) row.append(h('span', { class: 'badge unconfirmed', text: 'unconfirmed' }));
      if (entry.acknowledgedAt) {
        row.append(h('span', { class: 'badge acknowledged' }, 'acknowledged ', timeElement(entry.acknowledgedAt)));
      } else {
        row.append(h('span', { class: 'badge not-acknowledged', text: 'not acknowledged' }));
      }
      if (entry.escalatedAt) row.append(h('span', { class: 'badge escalated' }, 'ESCALATED ', timeElement(entry.escalatedAt)));
      addressees.append(row);
    }
    item.append(addressees);

    if (alert.state === 'resolved') {
      item.append(h('p', { class: 'alert-resolution', text: `Resolved${alert.resolution ? `: ${alert.resolution}` : ''}` }));
    }

    const actions = h('div', { class: 'alert-actions' });
    const pending = this.pending.has(alert.id);
    if (!replay && addressed && alert.state !== 'resolved') {
      if (!mine?.acknowledgedAt) {
        actions.append(h('button', {
          type: 'button', class: 'primary', 'data-action': 'acknowledge', dataset: { focusKey: 'acknowledge' }, 'aria-disabled': pending ? 'true' : undefined,
          'aria-label': `Acknowledge alert ${alert.id} (${alert.kind})`, text: 'Acknowledge',
          onclick: () => this.run(alert, 'acknowledge'),
        }));
      }
      actions.append(h('button', {
        type: 'button', 'data-action': 'resolve', dataset: { focusKey: 'resolve' }, 'aria-disabled': pending ? 'true' : undefined,
        'aria-label': `Resolve alert ${alert.id} (${alert.kind})`, text: 'Resolve…',
        onclick: () => this.run(alert, 'resolve'),
      }));
    }
    if (this.actions.canShow(alert)) {
      actions.append(h('button', {
        type: 'button', 'data-action': 'show', dataset: { focusKey: 'show' },
        'aria-label': `Show alert ${alert.id} on the map`, text: 'Show on map',
        onclick: () => this.actions.show(alert),
      }));
    }
    if (actions.children.length) item.append(actions);
    const error = this.errors.get(alert.id);
    if (error) item.append(h('p', { class: 'item-error', role: 'alert', text: error }));
    return item;
  }

  /** Counts the ETAs down to `now` (ms): the server's time, or the replayed instant. */
  tick(now) {
    for (const element of this.elements.list.querySelectorAll('.eta-countdown[data-eta]')) {
      const left = (Date.parse(element.dataset.eta) - now) / 1000;
      element.textContent = Number.isNaN(left) ? '' : left >= 0 ? `(in ${formatDuration(left)})` : `(${formatDuration(-left)} ago)`;
    }
  }

  async run(alert, action) {
    if (this.pending.has(alert.id)) return;
    let reason;
    if (action === 'resolve') {
      reason = await this.actions.askReason(alert);
      if (reason === null) return;
    }
    this.pending.add(alert.id);
    this.errors.delete(alert.id);
    this.render(this.last);
    try {
      await this.actions[action](alert, reason);
    } catch (error) {
      this.errors.set(alert.id, `Could not ${action} ${alert.id}: ${error?.describe ? error.describe() : error}`);
    } finally {
      this.pending.delete(alert.id);
      if (this.last) this.render(this.last);
    }
  }
}

/** The alert's figures in words; `timed`: the ETA is shown apart, as an instant. */
function describeMetrics(alert, timed = false) {
  const parts = [];
  const seconds = alert.secondsAhead;
  const meters = alert.distanceMeters;
  const hasSeconds = typeof seconds === 'number' && Number.isFinite(seconds);
  const hasMeters = typeof meters === 'number' && Number.isFinite(meters);
  switch (alert.kind) {
    case 'approach':
      if (hasSeconds && !timed) parts.push(`ETA ${formatDuration(seconds)} after the last update`);
      if (hasMeters) parts.push(`${formatDistance(meters)} to the zone`);
      break;
    case 'separation':
      if (hasSeconds && !timed) parts.push(seconds > 0 ? `closest approach ${formatDuration(seconds)} after the last update` : 'closest approach now');
      if (hasMeters) parts.push(`closest ${formatDistance(meters)}`);
      break;
    case 'incursion':
      if (hasMeters) parts.push(meters <= 0 ? `${formatDistance(meters)} inside the edge` : `${formatDistance(meters)} from the edge`);
      if (hasSeconds) parts.push(`in ${formatDuration(seconds)}`);
      break;
    case 'late-notice':
      if (hasSeconds) parts.push(`notice ${formatDuration(seconds)} before the start`);
      break;
    default:
      if (hasSeconds) parts.push(`in ${formatDuration(seconds)}`);
      if (hasMeters) parts.push(formatDistance(meters));
  }
  return parts.join(' · ');
}
