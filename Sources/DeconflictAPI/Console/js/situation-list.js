// The situation as lists: units (with the references the party may not locate), zones,
// operations and incidents, each with a button that shows it on the map.

import { h, clear, timeElement, formatAltitudeBand } from './util.js';
import { zoneKindLabel, zoneStatus, operationTitle, isIntent } from './map.js';

/**
 * @param {HTMLElement} root `#situation-list`
 * @param {{situation: object, incidents: object[], viewer: string, show: (selection) => void, canShow: (selection) => boolean}} view
 */
export function renderSituationList(root, view) {
  const { situation, incidents, viewer, show, canShow } = view;
  const focusedKey = root.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
  clear(root);
  const now = Date.parse(situation.time);
  const showButton = (selection, label) => canShow(selection)
    ? h('button', { type: 'button', class: 'small', dataset: { focusKey: `${selection.type}:${selection.id}` }, 'aria-label': `Show ${label} on the map`, text: 'Show' })
    : null;
  const section = (title, items, emptyText) => {
    root.append(h('h3', { text: `${title} (${items.length})` }));
    if (!items.length) root.append(h('p', { class: 'empty', text: emptyText }));
    else root.append(h('ul', { class: 'situation-items' }, items));
  };

  const units = situation.units ?? [];
  const located = units.filter((unit) => !unit.reference && unit.lastReport);
  const unreported = units.filter((unit) => !unit.reference && !unit.lastReport);
  const references = units.filter((unit) => unit.reference);
  section('Units on the map', located.map((unit) => {
    const label = unit.name || unit.id;
    return h('li', { class: `situation-item${unit.stale ? ' is-stale' : ''}`, dataset: { listUnit: unit.id } },
      h('span', { class: 'party-dot', style: `--party-color: ${view.colorOf(unit.party)}`, 'aria-hidden': 'true' }),
      h('span', { class: 'item-main' },
        h('strong', { text: label }),
        ` ${unit.party === viewer ? 'own' : unit.party} · ${unit.domain}`,
        unit.stale ? h('span', { class: 'badge stale', text: 'STALE' }) : null,
        h('span', { class: 'item-sub' }, 'last report ', timeElement(unit.lastReport.time))),
      showButton({ type: 'unit', id: unit.id }, label));
  }), 'No unit your party may locate.');
  if (unreported.length) {
    section('Own units without reports', unreported.map((unit) => h('li', { class: 'situation-item', dataset: { listUnit: unit.id } },
      h('span', { class: 'item-main' }, h('strong', { text: unit.name || unit.id }), ` · ${unit.domain} · no position reported yet`))), '');
  }
  if (references.length) {
    section('Other parties’ units (reference only, position not shared)', references.map((unit) =>
      h('li', { class: 'situation-item is-reference', dataset: { listUnit: unit.id, reference: 'true' } },
        h('span', { class: 'item-main' }, h('strong', { text: unit.id }), ` · ${unit.party} · ${unit.domain}`))), '');
  }

  section('Zones', (situation.zones ?? []).map((zone) => {
    const status = zoneStatus(zone, now);
    const label = zone.name || zone.id;
    return h('li', { class: `situation-item zone-item kind-${zone.kind} status-${status.replace(/ /g, '-')}`, dataset: { listZone: zone.id } },
      h('span', { class: `kind-swatch kind-${zone.kind}`, 'aria-hidden': 'true' }),
      h('span', { class: 'item-main' },
        h('strong', { text: label }),
        ` ${zoneKindLabel(zone)} · ${formatAltitudeBand(zone.altitude)} · owner ${zone.owner}`,
        status !== 'active' ? h('span', { class: `badge ${status === 'stale' ? 'stale' : 'inactive'}`, text: status.toUpperCase() }) : null),
      showButton({ type: 'zone', id: zone.id }, label));
  }), 'No zone declared.');

  section('Operations', (situation.operations ?? []).map((operation) => {
    const label = operationTitle(operation);
    return h('li', { class: `situation-item${isIntent(operation) ? ' is-intent' : ''}`, dataset: { listOperation: operation.id } },
      h('span', { class: 'item-main' },
        h('strong', { text: label }),
        ` ${operation.party} · ${operation.state} · priority ${operation.priority}`,
        operation.reference ? h('span', { class: 'badge reference', text: 'reference' }) : null),
      showButton({ type: 'operation', id: operation.id }, label));
  }), 'No operation.');

  section('Incidents', incidents.map((incident) => {
    const label = `incident ${incident.id}`;
    return h('li', { class: 'situation-item', dataset: { listIncident: incident.id } },
      h('span', { class: 'item-main' },
        h('strong', { text: incident.id }),
        ` ${incident.summary}`,
        h('span', { class: 'item-sub' }, `by ${incident.reportedBy}, `, timeElement(incident.recordedAt))),
      Array.isArray(incident.position) ? showButton({ type: 'incident', id: incident.id }, label) : null);
  }), 'No incident recorded.');

  root.onclick = (event) => {
    const button = event.target.closest('button[data-focus-key]');
    if (!button) return;
    const [type, ...rest] = button.dataset.focusKey.split(':');
    show({ type, id: rest.join(':') });
  };
  if (focusedKey) root.querySelector(`[data-focus-key="${CSS.escape(focusedKey)}"]`)?.focus({ preventScroll: true });
}
