// The agreements the signed-in party is a signatory of, each signatory's status and
// the agreed parameters.

import { h, reconcile, signatureOf, formatDistance, formatDuration } from './util.js';

const PARAMETERS = [
  ['groundSeparationMeters', 'Ground separation', (value) => formatDistance(value)],
  ['airSeparationMeters', 'Air separation', (value) => `${formatDistance(value)} (${(value / 1852).toFixed(1)} NM)`],
  ['verticalSeparationMeters', 'Vertical separation', (value) => `${Math.round(value).toLocaleString('en-US')} m`],
  ['noticeLeadSeconds', 'Notice lead time', (value) => formatDuration(value)],
  ['acknowledgementSeconds', 'Acknowledgement deadline', (value) => formatDuration(value)],
  ['escalationSeconds', 'Escalation after', (value) => formatDuration(value)],
];

const STATUS_ORDER = { signed: 0, proposed: 1, withdrawn: 2 };

export function renderAgreements(list, empty, { agreements, viewer }) {
  reconcile(list, agreements, {
    key: (agreement) => agreement.id,
    signature: (agreement) => signatureOf(agreement, viewer),
    build: (agreement) => build(agreement, viewer),
  });
  empty.hidden = agreements.length > 0;
}

function build(agreement, viewer) {
  const signatories = Object.entries(agreement.signatories ?? {})
    .sort(([a, sa], [b, sb]) => (STATUS_ORDER[sa] ?? 3) - (STATUS_ORDER[sb] ?? 3) || a.localeCompare(b));
  const notSigned = signatories.filter(([, status]) => status !== 'signed');
  const item = h('li', { class: 'agreement', tabindex: '-1', dataset: { agreementId: agreement.id } });
  item.append(h('h3', { class: 'agreement-title', text: agreement.title || agreement.id }));
  item.append(h('p', { class: 'muted agreement-id', text: `Agreement ${agreement.id}` }));
  const table = h('table', { class: 'signatories' },
    h('caption', { text: 'Signatories' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Party' }), h('th', { scope: 'col', text: 'Status' }))));
  const body = h('tbody');
  for (const [party, status] of signatories) {
    body.append(h('tr', { dataset: { signatory: party, status } },
      h('th', { scope: 'row', text: party === viewer ? `${party} (you)` : party }),
      h('td', {}, h('span', { class: `badge signatory-${status}`, text: status === 'proposed' ? 'proposed — not signed' : status }))));
  }
  table.append(body);
  item.append(table);
  if (notSigned.length) {
    item.append(h('p', {
      class: 'agreement-warning',
      text: `Binding only on the parties that signed. Not signed by: ${notSigned.map(([party, status]) => `${party} (${status})`).join(', ')}.`,
    }));
  }
  const parameters = agreement.parameters ?? {};
  const known = PARAMETERS.filter(([name]) => typeof parameters[name] === 'number');
  if (known.length) {
    item.append(h('dl', { class: 'parameters' },
      known.flatMap(([name, label, format]) => [h('dt', { text: label }), h('dd', { text: format(parameters[name]) })])));
  }
  return item;
}

/** Which party answers for which (a sponsor for the forces it backs), and whether confirmed. */
export function renderResponsibilities(list, empty, { responsibilities, viewer }) {
  reconcile(list, responsibilities, {
    key: (entry) => `${entry.sponsor}>${entry.client}`,
    signature: (entry) => signatureOf(entry, viewer),
    build: (entry) => h('li', {
      class: `responsibility${entry.confirmed ? '' : ' is-unconfirmed'}`,
      dataset: { sponsor: entry.sponsor, client: entry.client, confirmed: entry.confirmed ? 'true' : 'false' },
    },
    h('strong', { text: entry.sponsor === viewer ? `${entry.sponsor} (you)` : entry.sponsor }),
    ' answers for ',
    h('strong', { text: entry.client === viewer ? `${entry.client} (you)` : entry.client }),
    entry.confirmed
      ? h('span', { class: 'badge acknowledged', text: 'confirmed' })
      : h('span', { class: 'badge unconfirmed', text: 'claimed, not confirmed' })),
  });
  empty.hidden = responsibilities.length > 0;
}
