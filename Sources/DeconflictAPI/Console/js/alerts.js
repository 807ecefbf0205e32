// The alert list: every alert addressed to the signed-in party, one line each so that a
// few hundred stay readable, filtered (open, unacknowledged by me, all; by kind; by zone)
// and grouped: repeated alerts of one kind about the same units and zone are one row with
// a count and their history. A row opens to the figures, the addressees' acknowledgements
// and escalations, and the Acknowledge, Resolve and Show on map actions.

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

const NO_ZONE = '\u0000none';

/** The routing of an alert: its `routing`, or, from an older answer, its addressees. */
export function routingOf(alert) {
  return Array.isArray(alert.routing) ? alert.routing : (alert.addressees ?? []).map((party) => ({ party, confirmed: true }));
}

/** Whether `viewer` is an addressee of the open `alert` that has not acknowledged it. */
export function unacknowledgedBy(alert, viewer) {
  if (alert.state === 'resolved') return false;
  const mine = routingOf(alert).find((entry) => entry.party === viewer);
  return Boolean(mine && !mine.acknowledgedAt);
}

/**
 * What makes alerts repeats of one another: the kind, the units, the zone (and the
 * operation, agreement or party a kind is about), so that an incursion raised again each
 * time a convoy comes back, or a warning repeated, is one row.
 */
function groupKey(alert) {
  return [alert.kind, [...(alert.units ?? [])].sort().join('+'), alert.zone ?? '', alert.operation ?? '',
    alert.kind === 'build-up' ? alert.party ?? '' : '', alert.zone ? '' : alert.agreement ?? ''].join('|');
}

/** An alert less the figures that follow the units: what a closed row shows. */
function steady(alert) {
  const { secondsAhead, distanceMeters, updatedAt, ...rest } = alert;
  return rest;
}

const byUrgency = (a, b) => (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3) || ms(b.raisedAt) - ms(a.raisedAt) || String(a.id).localeCompare(String(b.id));

export class AlertList {
  /**
   * @param {{list: HTMLElement, empty: HTMLElement, count: HTMLElement, filters: HTMLElement, hidden: HTMLElement}} elements
   *   `filters` receives the state, kind and zone selects; `hidden` says what they hide.
   * @param {{acknowledge: (alert) => Promise, resolve: (alert, reason) => Promise, askReason: (alert) => Promise<string | null>, show: (alert) => void, canShow: (alert) => boolean, announce: (text: string) => void}} actions
   */
  constructor(elements, actions) {
    this.elements = elements;
    this.actions = actions;
    this.errors = new Map();
    this.pending = new Set();
    this.seen = null; // ids seen while live; null before the first live list
    this.fresh = new Map(); // id → when it appeared
    this.expanded = new Set(); // group keys opened by the user: they stay open while alerts stream in
    this.filter = { state: 'open', kind: '', zone: '' };
    this.last = null;
    this.buildFilters();
  }

  buildFilters() {
    const { filters, hidden } = this.elements;
    const field = (id, label, select) => h('span', { class: 'alert-filter' }, h('label', { for: id, text: label }), select);
    this.stateSelect = h('select', { id: 'alerts-filter-state', onchange: () => this.setFilter({ state: this.stateSelect.value }) },
      h('option', { value: 'open', text: 'Open' }),
      h('option', { value: 'unacknowledged', text: 'Unacknowledged by me' }),
      h('option', { value: 'all', text: 'All, resolved too' }));
    this.kindSelect = h('select', { id: 'alerts-filter-kind', onchange: () => this.setFilter({ kind: this.kindSelect.value }) });
    this.zoneSelect = h('select', { id: 'alerts-filter-zone', onchange: () => this.setFilter({ zone: this.zoneSelect.value }) });
    filters.replaceChildren(
      field('alerts-filter-state', 'Show', this.stateSelect),
      field('alerts-filter-kind', 'Kind', this.kindSelect),
      field('alerts-filter-zone', 'Zone', this.zoneSelect));
    this.stateSelect.value = this.filter.state;
    this.clearButton = h('button', { type: 'button', class: 'small', id: 'alerts-filter-clear', text: 'Show all',
      onclick: () => this.setFilter({ state: 'all', kind: '', zone: '' }) });
    this.hiddenText = h('span', { id: 'alerts-hidden-text' });
    hidden.replaceChildren(this.hiddenText, ' ', this.clearButton);
    hidden.hidden = true;
  }

  setFilter(change) {
    Object.assign(this.filter, change);
    this.stateSelect.value = this.filter.state;
    if (this.last) this.render(this.last);
  }

  reset() {
    this.errors.clear();
    this.pending.clear();
    this.seen = null;
    this.fresh.clear();
    this.expanded.clear();
    this.filter = { state: 'open', kind: '', zone: '' };
    this.stateSelect.value = 'open';
    this.last = null;
    this.elements.list.replaceChildren();
    this.elements.hidden.hidden = true;
  }

  /** Keeps a select's options in step with the values present, the chosen one kept even if gone. */
  fillSelect(select, allLabel, values, chosen) {
    const wanted = [['', allLabel], ...values];
    if (chosen && !values.some(([value]) => value === chosen)) wanted.push([chosen, `${chosen} (none now)`]);
    const signature = signatureOf(wanted);
    if (select.dataset.options !== signature) {
      select.replaceChildren(...wanted.map(([value, label]) => h('option', { value, text: label })));
      select.dataset.options = signature;
    }
    select.value = chosen;
  }

  matches(alert, viewer) {
    const { state, kind, zone } = this.filter;
    if (state === 'open' && alert.state === 'resolved') return false;
    if (state === 'unacknowledged' && !unacknowledgedBy(alert, viewer)) return false;
    if (kind && alert.kind !== kind) return false;
    if (zone && (zone === NO_ZONE ? Boolean(alert.zone) : alert.zone !== zone)) return false;
    return true;
  }

  /**
   * @param {{alerts: object[], viewer: string, replay: boolean, unitLabel: (id) => string, zoneLabel: (id) => string, etaOf: (alert) => number | null}} view
   */
  render(view) {
    this.last = view;
    const { alerts, replay, viewer } = view;
    if (!replay) this.noticeNew(alerts);
    this.stateSelect.value = this.filter.state;

    const kinds = [...new Set(alerts.map((alert) => alert.kind))].sort();
    this.fillSelect(this.kindSelect, 'All kinds', kinds.map((kind) => [kind, kind]), this.filter.kind);
    const zones = [...new Set(alerts.map((alert) => alert.zone).filter(Boolean))].sort();
    const zoneOptions = zones.map((zone) => [zone, view.zoneLabel(zone)]);
    if (alerts.some((alert) => !alert.zone)) zoneOptions.push([NO_ZONE, 'No zone']);
    this.fillSelect(this.zoneSelect, 'All zones', zoneOptions, this.filter.zone);

    const shown = alerts.filter((alert) => this.matches(alert, viewer));
    const groups = new Map();
    for (const alert of [...shown].sort(byUrgency)) {
      const key = groupKey(alert);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(alert);
    }
    const rows = [...groups.entries()].map(([key, members]) => ({ key, lead: members[0], members }));
    reconcile(this.elements.list, rows, {
      key: (row) => row.key,
      signature: (row) => signatureOf(this.expanded.has(row.key) ? row.members : row.members.map(steady), viewer, replay, this.expanded.has(row.key),
        row.members.map((alert) => [this.errors.get(alert.id), this.pending.has(alert.id)]),
        row.lead.units.map(view.unitLabel), row.lead.zone && view.zoneLabel(row.lead.zone), this.actions.canShow(row.lead),
        this.expanded.has(row.key) ? view.etaOf(row.lead) : null),
      build: (row) => this.build(row, view),
    });

    const open = alerts.filter((alert) => alert.state !== 'resolved').length;
    this.elements.count.textContent = open ? String(open) : '';
    this.elements.count.setAttribute('aria-label', open ? `${open} open` : '');
    const hiddenCount = alerts.length - shown.length;
    this.elements.hidden.hidden = hiddenCount === 0;
    this.hiddenText.textContent = `${hiddenCount} ${hiddenCount === 1 ? 'alert' : 'alerts'} hidden by the filters`;
    this.elements.hidden.dataset.hiddenCount = String(hiddenCount);
    this.elements.empty.hidden = shown.length > 0;
    this.elements.empty.textContent = alerts.length > 0 && shown.length === 0
      ? 'No alert matches the filters.'
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

  /** Opens the row of alert `id` (clearing filters that hide it), scrolls to it and focuses it. */
  reveal(id) {
    if (!this.last) return;
    const alert = this.last.alerts.find((entry) => entry.id === id);
    if (!alert) return;
    if (!this.matches(alert, this.last.viewer)) this.filter = { state: 'all', kind: '', zone: '' };
    this.expanded.add(groupKey(alert));
    this.render(this.last);
    const row = [...this.elements.list.children].find((element) => (element.dataset.alertIds ?? '').split(' ').includes(id));
    if (!row) return;
    row.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    row.focus({ preventScroll: true });
  }

  build(row, view) {
    const { viewer, replay } = view;
    const { key, lead: alert, members } = row;
    const open = this.expanded.has(key);
    const mine = routingOf(alert).find((entry) => entry.party === viewer);
    const addressed = alert.addressees.includes(viewer);
    const escalated = members.some((member) => routingOf(member).some((entry) => entry.escalatedAt && !entry.acknowledgedAt) && member.state !== 'resolved');
    const item = h('li', {
      class: `alert state-${alert.state} kind-${alert.kind}${open ? ' is-open' : ''}${escalated ? ' is-escalated' : ''}`,
      tabindex: '-1',
      dataset: { alertId: alert.id, alertState: alert.state, alertKind: alert.kind, alertIds: members.map((member) => member.id).join(' '), count: members.length },
      'aria-labelledby': `alert-title-${alert.id}`,
    });
    if (members.some((member) => {
      const freshAt = this.fresh.get(member.id);
      return freshAt && Date.now() - freshAt < 10_000;
    })) {
      item.classList.add('is-new');
      setTimeout(() => item.classList.remove('is-new'), 10_000);
    }

    const subject = [];
    if (alert.units.length) subject.push(alert.units.map(view.unitLabel).join(', '));
    if (alert.party && alert.kind === 'build-up') subject.push(`forces of ${alert.party}`);
    if (alert.zone) subject.push(view.zoneLabel(alert.zone));
    if (alert.operation) subject.push(`operation ${alert.operation}`);
    if (alert.agreement && !alert.zone) subject.push(`agreement ${alert.agreement}`);
    const detailsId = `alert-details-${alert.id}`;

    // The one line: open/close, kind, state, subject, repeats, when, and Acknowledge.
    const line = h('div', { class: 'alert-line' });
    line.append(h('button', {
      type: 'button', class: 'alert-toggle', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': detailsId,
      dataset: { focusKey: 'toggle', action: 'expand' },
      'aria-label': `${open ? 'Hide' : 'Show'} details of ${alert.kind} alert ${alert.id}`,
      onclick: () => {
        if (this.expanded.has(key)) this.expanded.delete(key);
        else this.expanded.add(key);
        this.render(this.last);
      },
    }, h('span', { 'aria-hidden': 'true', text: open ? '▾' : '▸' })));
    line.append(h('span', { class: 'alert-head', id: `alert-title-${alert.id}` },
      h('span', { class: 'alert-kind', title: KIND_HELP[alert.kind] ?? '', text: alert.kind }),
      // The state is the row's edge colour on the line (raised red, acknowledged amber,
      // resolved grey), said in words to screen readers; an open row shows it as a badge.
      h('span', { class: `badge state-${alert.state} line-state`, text: alert.state }),
      escalated ? h('span', { class: 'badge escalated', title: 'Escalated: an addressee has not acknowledged in time' }, h('span', { 'aria-hidden': 'true', text: '!' }), h('span', { class: 'visually-hidden', text: 'escalated' })) : null,
      members.length > 1 ? h('span', { class: 'badge repeat', title: `${members.length} alerts of this kind about the same units and zone`, text: `×${members.length}` }) : null,
      h('span', { class: 'alert-subject', text: subject.join(' · ') || '—' })));
    line.append(h('span', { class: 'alert-raised' }, timeElement(alert.raisedAt)));
    const pending = this.pending.has(alert.id);
    if (!replay && addressed && alert.state !== 'resolved' && !mine?.acknowledgedAt) {
      line.append(h('button', {
        type: 'button', class: 'primary small', 'data-action': 'acknowledge', dataset: { focusKey: 'acknowledge' }, 'aria-disabled': pending ? 'true' : undefined,
        'aria-label': `Acknowledge alert ${alert.id} (${alert.kind})`, text: 'Ack',
        onclick: () => this.run(alert, 'acknowledge'),
      }));
    }
    item.append(line);

    // The details, kept in the page (hidden) so that what each addressee did can be read
    // without opening every row.
    const details = h('div', { class: 'alert-details', id: detailsId, hidden: !open });
    details.append(h('p', { class: 'alert-meta' }, h('span', { class: 'alert-id', text: alert.id }), ' raised ', timeElement(alert.raisedAt, { full: true }),
      KIND_HELP[alert.kind] ? h('span', { class: 'muted', text: ` — ${KIND_HELP[alert.kind]}` }) : null));
    // The figures follow the units (an update every few seconds): drawn only in an open
    // row, so that a closed one is not rebuilt under the pointer at each.
    const eta = !open || alert.state === 'resolved' || !['approach', 'separation'].includes(alert.kind) ? null : view.etaOf(alert);
    const metrics = open ? describeMetrics(alert, eta !== null) : '';
    if (metrics || eta !== null) {
      const figures = h('p', { class: 'alert-metrics' });
      if (eta !== null) {
        figures.append(alert.kind === 'separation' ? 'closest approach ' : 'ETA ', timeElement(eta),
          ' ', h('span', { class: 'eta-countdown', dataset: { eta: new Date(eta).toISOString() } }));
        if (metrics) figures.append(' · ');
      }
      if (metrics) figures.append(metrics);
      details.append(figures);
    }
    if (alert.unconfirmedRouting) {
      details.append(h('p', { class: 'alert-warning', text: 'Routing unconfirmed: a party concerned has nobody confirmed to answer for it; this alert may not reach anyone responsible.' }));
    }
    details.append(addresseeList(alert, viewer));
    if (alert.state === 'resolved') {
      details.append(h('p', { class: 'alert-resolution' }, 'Resolved', alert.resolvedAt ? [' ', timeElement(alert.resolvedAt)] : null, alert.resolution ? `: ${alert.resolution}` : ''));
    }

    const actions = h('div', { class: 'alert-actions' });
    if (!replay && addressed && alert.state !== 'resolved') {
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
    if (actions.children.length) details.append(actions);

    if (members.length > 1) {
      const history = h('ol', { class: 'alert-history', 'aria-label': `History: ${members.length} ${alert.kind} alerts about ${subject.join(', ') || 'the same subject'}` });
      for (const member of [...members].sort((a, b) => ms(a.raisedAt) - ms(b.raisedAt))) {
        const acknowledged = routingOf(member).filter((entry) => entry.acknowledgedAt).length;
        const entryItem = h('li', { class: `alert-history-entry state-${member.state}`, dataset: { memberId: member.id, memberState: member.state } },
          timeElement(member.raisedAt), ' ', h('span', { class: `badge state-${member.state}`, text: member.state }), ' ',
          h('span', { class: 'alert-id', text: member.id }),
          ` · ${acknowledged}/${routingOf(member).length} acknowledged`,
          routingOf(member).some((entry) => entry.escalatedAt) ? h('span', { class: 'badge escalated', text: 'escalated' }) : null,
          member.state === 'resolved' && member.resolution ? h('span', { class: 'muted', text: ` · ${member.resolution}` }) : null);
        if (member !== alert && !replay && member.addressees.includes(viewer) && member.state !== 'resolved') {
          if (unacknowledgedBy(member, viewer)) {
            entryItem.append(' ', h('button', { type: 'button', class: 'small', 'data-action': 'acknowledge-member',
              'aria-label': `Acknowledge alert ${member.id}`, text: 'Ack', onclick: () => this.run(member, 'acknowledge') }));
          }
        }
        history.append(entryItem);
      }
      details.append(h('p', { class: 'alert-history-title', text: `${members.length} alerts, oldest first` }), history);
    }
    for (const member of members) {
      const error = this.errors.get(member.id);
      if (error) details.append(h('p', { class: 'item-error', role: 'alert', text: error }));
    }
    if (members.some((member) => this.errors.get(member.id))) details.hidden = false;
    item.append(details);
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

/** Each addressee: whom it answers for, whether confirmed, acknowledged, escalated. */
function addresseeList(alert, viewer) {
  const addressees = h('ul', { class: 'addressees', 'aria-label': 'Addressees' });
  for (const entry of routingOf(alert)) {
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
  return addressees;
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
