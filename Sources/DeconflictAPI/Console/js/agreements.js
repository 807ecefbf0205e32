// The agreements the signed-in party is a signatory of, each signatory's status and
// the agreed parameters; signing and withdrawing the party's own signature, and
// proposing a new agreement.

import { h, reconcile, signatureOf, formatDistance, formatDuration, isOperator } from './util.js';
import { field, clearErrors, showApiError, numberOf, uid } from './forms.js';

const PARAMETERS = [
  ['groundSeparationMeters', 'Ground separation', (value) => formatDistance(value)],
  ['airSeparationMeters', 'Air separation', (value) => `${formatDistance(value)} (${(value / 1852).toFixed(1)} NM)`],
  ['verticalSeparationMeters', 'Vertical separation', (value) => `${Math.round(value).toLocaleString('en-US')} m`],
  ['noticeLeadSeconds', 'Notice lead time', (value) => formatDuration(value)],
  ['acknowledgementSeconds', 'Acknowledgement deadline', (value) => formatDuration(value)],
  ['escalationSeconds', 'Escalation after', (value) => formatDuration(value)],
];

/**
 * The parameters a proposal may set, with the server's defaults (an omitted parameter
 * takes its default): [name, label, unit, factor to the API's unit, default in the API's
 * unit, hint]. Durations are typed in minutes, sent in seconds.
 */
const PROPOSED_PARAMETERS = [
  ['groundSeparationMeters', 'Ground separation', 'm', 1, 1000, 'Least distance between ground units of different parties.'],
  ['airSeparationMeters', 'Air separation', 'm', 1, 9260, 'Least horizontal distance between aircraft (9,260 m = 5 NM).'],
  ['verticalSeparationMeters', 'Vertical separation', 'm', 1, 300, 'Least vertical distance between aircraft closer than the air separation.'],
  ['noticeLeadSeconds', 'Notice lead time', 'min', 60, 3600, 'How long before an operation starts the other signatories must be told.'],
  ['acknowledgementSeconds', 'Acknowledgement deadline', 'min', 60, 600, 'How long an addressee has to acknowledge an alert or a message.'],
  ['escalationSeconds', 'Escalation after', 'min', 60, 300, 'How long after a missed acknowledgement the silence is escalated.'],
];

const STATUS_ORDER = { signed: 0, proposed: 1, withdrawn: 2 };

/**
 * Renders the list. `options.actions` ({sign, withdraw}: each returns a promise) adds
 * the viewer's "Sign" and "Withdraw" buttons; `options.disabled` is why they are off
 * (replay, the operator), null when they are on; `options.pending` the agreements with
 * a request under way and `options.errors` the last refusal of each.
 */
export function renderAgreements(list, empty, { agreements, viewer, actions = null, disabled = null, pending = new Set(), errors = new Map() }) {
  reconcile(list, agreements, {
    key: (agreement) => agreement.id,
    signature: (agreement) => signatureOf(agreement, viewer, Boolean(actions), disabled, pending.has(agreement.id), errors.get(agreement.id) ?? null),
    build: (agreement) => build(agreement, viewer, { actions, disabled, pending: pending.has(agreement.id), error: errors.get(agreement.id) }),
  });
  empty.hidden = agreements.length > 0;
}

const STATUS_TEXT = { proposed: 'proposed — not signed', signed: 'signed', withdrawn: 'withdrawn' };

function build(agreement, viewer, { actions, disabled, pending, error }) {
  const signatories = Object.entries(agreement.signatories ?? {})
    .sort(([a, sa], [b, sb]) => (STATUS_ORDER[sa] ?? 3) - (STATUS_ORDER[sb] ?? 3) || a.localeCompare(b));
  const notSigned = signatories.filter(([, status]) => status !== 'signed');
  const title = agreement.title || agreement.id;
  const item = h('li', { class: 'agreement', tabindex: '-1', dataset: { agreementId: agreement.id } });
  item.append(h('h3', { class: 'agreement-title', text: title }));
  item.append(h('p', { class: 'muted agreement-id', text: `Agreement ${agreement.id}` }));
  const table = h('table', { class: 'signatories' },
    h('caption', { text: 'Signatories' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Party' }), h('th', { scope: 'col', text: 'Status' }))));
  const body = h('tbody');
  for (const [party, status] of signatories) {
    const cell = h('td', {}, h('span', { class: `badge signatory-${status}`, text: STATUS_TEXT[status] ?? status }));
    if (party === viewer && actions) cell.append(ownButtons(agreement, title, status, { actions, disabled, pending }));
    body.append(h('tr', { dataset: { signatory: party, status } },
      h('th', { scope: 'row', text: party === viewer ? `${party} (you)` : party }),
      cell));
  }
  table.append(body);
  item.append(table);
  if (actions && disabled && agreement.signatories?.[viewer]) item.append(h('p', { class: 'hint action-off', text: disabled }));
  if (error) item.append(h('p', { class: 'item-error', role: 'alert', text: error }));
  if (notSigned.length) {
    item.append(h('p', {
      class: 'agreement-warning',
      text: `Binding only on the parties that signed. Not signed by: ${notSigned.map(([party, status]) => `${party} (${status})`).join(', ')}.`,
    }));
  }
  const parameters = agreement.parameters ?? {};
  const known = PARAMETERS.filter(([name]) => typeof parameters[name] === 'number');
  const shown = known.flatMap(([name, label, format]) => [h('dt', { text: label }), h('dd', { text: format(parameters[name]) })]);
  if (typeof parameters.disclosesIntruders === 'boolean') {
    shown.push(h('dt', { text: 'Intruders disclosed' }), h('dd', { text: parameters.disclosesIntruders ? 'yes, to the zone’s owner while the alert is open' : 'no' }));
  }
  if (shown.length) item.append(h('dl', { class: 'parameters' }, shown));
  return item;
}

/** The viewer's own "Sign" (unless signed) and "Withdraw" (unless withdrawn) buttons. */
function ownButtons(agreement, title, status, { actions, disabled, pending }) {
  const group = h('span', { class: 'signature-actions' });
  const off = Boolean(disabled) || pending;
  if (status !== 'signed') {
    group.append(h('button', {
      type: 'button', class: 'small primary', 'data-action': 'sign', dataset: { focusKey: 'sign' },
      'aria-label': `Sign ${title}`, text: status === 'withdrawn' ? 'Sign again' : 'Sign',
      disabled: off, title: disabled ?? undefined,
      onclick: () => actions.sign(agreement),
    }));
  }
  if (status !== 'withdrawn') {
    group.append(h('button', {
      type: 'button', class: 'small danger', 'data-action': 'withdraw', dataset: { focusKey: 'withdraw' },
      'aria-label': `Withdraw from ${title}`, text: 'Withdraw',
      disabled: off, title: disabled ?? undefined,
      onclick: () => actions.withdraw(agreement),
    }));
  }
  return group;
}

/**
 * Asks whether to withdraw from an agreement (every party is alerted); true when
 * confirmed. A dialog of its own, made on first use.
 */
export function confirmWithdrawal(agreement) {
  let dialog = document.getElementById('withdraw-dialog');
  if (!dialog) {
    dialog = h('dialog', { id: 'withdraw-dialog', 'aria-labelledby': 'withdraw-title', 'aria-describedby': 'withdraw-text' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'withdraw-title', text: 'Withdraw from the agreement?' }),
        h('p', { id: 'withdraw-text', class: 'muted' }),
        h('div', { class: 'dialog-actions' },
          h('button', { id: 'withdraw-cancel', type: 'submit', value: 'cancel', text: 'Keep my signature' }),
          h('button', { id: 'withdraw-confirm', type: 'submit', value: 'withdraw', class: 'danger', text: 'Withdraw' }))));
    document.body.append(dialog);
  }
  dialog.querySelector('#withdraw-text').textContent =
    `${agreement.title || agreement.id} (${agreement.id}) will no longer bind your party, and every party is alerted at once.`;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    dialog.returnValue = '';
    dialog.addEventListener('close', () => {
      if (opener && document.contains(opener)) opener.focus();
      resolve(dialog.returnValue === 'withdraw');
    }, { once: true });
    dialog.showModal();
    dialog.querySelector('#withdraw-cancel').focus();
  });
}

/**
 * The form that proposes an agreement: id, title, signatories (the viewer always one)
 * and each parameter with its unit and the server's default.
 */
export class AgreementForm {
  /**
   * @param {HTMLElement} container where the form goes
   * @param {{propose: (agreement: object) => Promise<object>, announce: (text: string) => void}} actions
   */
  constructor(container, actions) {
    this.actions = actions;
    this.viewer = null;
    this.partyIds = [];
    this.id = h('input', { type: 'text', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', required: true, maxlength: '128' });
    this.title = h('input', { type: 'text', autocomplete: 'off', required: true });
    this.signatories = h('div', { class: 'recipient-list' });
    this.parameterInputs = new Map();
    const parameterFields = PROPOSED_PARAMETERS.map(([name, label, unit, factor, fallback, hint]) => {
      const input = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', value: String(fallback / factor), dataset: { parameter: name } });
      this.parameterInputs.set(name, input);
      return field(`${label} (${unit})`, input, {
        field: `parameters.${name}`,
        hint: `${hint} Server default: ${(fallback / factor).toLocaleString('en-US')} ${unit}.`,
      });
    });
    this.discloses = h('input', { type: 'checkbox', checked: true, dataset: { parameter: 'disclosesIntruders' } });
    const disclosesId = uid('discloses');
    this.discloses.id = disclosesId;
    this.discloses.setAttribute('aria-describedby', `${disclosesId}-hint`);
    this.error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    this.status = h('p', { class: 'form-status', role: 'status' });
    this.off = h('p', { class: 'hint action-off', hidden: true });
    this.submit = h('button', { type: 'submit', class: 'primary', text: 'Propose' });
    this.fieldset = h('fieldset', {},
      h('legend', { text: 'New agreement' }),
      h('div', { class: 'form-grid' },
        field('Id', this.id, { field: 'id', hint: 'Letters, digits, - _ . : (up to 128).' }),
        field('Name', this.title, { field: 'title' })),
      h('fieldset', { class: 'recipients', dataset: { field: 'signatories' } },
        h('legend', { text: 'Signatories' }),
        this.signatories,
        h('p', { class: 'hint', text: 'Your party is always one; the others start as proposed until they sign.' }),
        h('p', { class: 'field-error', role: 'alert', hidden: true })),
      h('fieldset', { class: 'parameters-input' },
        h('legend', { text: 'Parameters' }),
        h('div', { class: 'form-grid' }, parameterFields),
        h('div', { class: 'form-field', dataset: { field: 'parameters.disclosesIntruders' } },
          h('label', { class: 'toggle-label', for: disclosesId }, this.discloses, ' Disclose intruders'),
          h('p', { id: `${disclosesId}-hint`, class: 'hint field-hint', text: 'A unit inside or approaching a signatory’s zone is shown to the zone’s owner while the alert about it is open (each read recorded). Server default: on.' }),
          h('p', { class: 'field-error', role: 'alert', hidden: true }))),
      this.error,
      h('div', { class: 'form-actions' }, this.submit),
      this.status);
    this.form = h('form', { id: 'agreement-form', class: 'plan-form', novalidate: true, 'aria-label': 'Propose an agreement' }, this.off, this.fieldset);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.details = h('details', { class: 'plan-details', id: 'agreement-propose' },
      h('summary', { text: 'Propose an agreement' }), this.form);
    container.append(this.details);
  }

  /** The parties that may sign (from GET /v1/parties). */
  setParties(parties, viewer) {
    const ids = parties.map((party) => party.id).filter((id) => !isOperator(id));
    if (viewer === this.viewer && signatureOf(ids) === signatureOf(this.partyIds)) return;
    const checked = new Set([...this.signatories.querySelectorAll('input:checked')].map((input) => input.value));
    this.viewer = viewer;
    this.partyIds = ids;
    this.signatories.replaceChildren(...parties.filter((party) => !isOperator(party.id)).map((party) => {
      const own = party.id === viewer;
      const input = h('input', { type: 'checkbox', name: 'signatory', value: party.id, checked: own || checked.has(party.id), disabled: own });
      return h('label', { class: 'recipient' }, input, ` ${party.name && party.name !== party.id ? `${party.name} (${party.id})` : party.id}${own ? ' — you' : ''}`);
    }));
  }

  /** Turns the form off with the reason shown (replay, the operator), or on (`null`). */
  setDisabled(reason) {
    this.fieldset.disabled = Boolean(reason);
    this.off.hidden = !reason;
    this.off.textContent = reason ?? '';
  }

  reset() {
    this.form.reset();
    clearErrors(this.form);
    this.error.hidden = true;
    this.status.textContent = '';
    this.viewer = null;
    this.partyIds = [];
    this.signatories.replaceChildren();
    for (const [name, , , factor, fallback] of PROPOSED_PARAMETERS) this.parameterInputs.get(name).value = String(fallback / factor);
    this.details.open = false;
  }

  /** The agreement typed in, or null after marking what is missing. */
  read() {
    clearErrors(this.form);
    this.error.hidden = true;
    const id = this.id.value.trim();
    const title = this.title.value.trim();
    const signatories = { [this.viewer]: 'signed' };
    for (const input of this.signatories.querySelectorAll('input:checked')) if (input.value !== this.viewer) signatories[input.value] = 'proposed';
    const parameters = { disclosesIntruders: this.discloses.checked };
    const problems = [];
    if (!id) problems.push(['id', 'Give the agreement an id.']);
    if (!title) problems.push(['title', 'Give the agreement a name.']);
    if (Object.keys(signatories).length < 2) problems.push(['signatories', 'Choose at least one other party.']);
    for (const [name, , , factor] of PROPOSED_PARAMETERS) {
      const input = this.parameterInputs.get(name);
      if (input.value.trim() === '') continue; // the server's default
      const value = numberOf(input);
      if (!Number.isFinite(value)) problems.push([`parameters.${name}`, 'Type a number, or leave it empty for the default.']);
      else parameters[name] = value * factor;
    }
    if (problems.length) {
      for (const [path, text] of problems.reverse()) {
        const wrapper = this.form.querySelector(`[data-field="${CSS.escape(path)}"]`);
        const error = wrapper?.querySelector('.field-error');
        if (error) {
          error.textContent = text;
          error.hidden = false;
          const control = wrapper.querySelector('input:not(:disabled)');
          control?.setAttribute('aria-invalid', 'true');
          control?.focus();
        }
      }
      this.error.textContent = 'Some fields need attention (marked).';
      this.error.hidden = false;
      return null;
    }
    return { id, title, signatories, parameters };
  }

  async send() {
    const agreement = this.read();
    if (!agreement) return;
    this.submit.disabled = true;
    this.status.textContent = 'Proposing…';
    try {
      await this.actions.propose(agreement);
      this.status.textContent = `Proposed ${agreement.id}: the other signatories see it and may sign.`;
      this.actions.announce(`Agreement ${agreement.id} proposed.`);
    } catch (error) {
      this.status.textContent = '';
      showApiError(this.form, this.error, error);
    } finally {
      this.submit.disabled = false;
    }
  }
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
