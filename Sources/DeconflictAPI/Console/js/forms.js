// Form helpers shared by the agreement and operation forms: labelled inputs, and the
// server's refusals (problem+json `field`, a JSON path) shown next to the field at fault.

import { h } from './util.js';

let serial = 0;

/** A fresh id for a control and the elements that describe it. */
export function uid(prefix) {
  serial += 1;
  return `${prefix}-${serial}`;
}

/**
 * A labelled control in a `.form-field` wrapper named by `field` (the server's JSON path,
 * so that its refusal lands here), with an optional hint (unit, default) and a place
 * for the error. `control` is an input, select or textarea without an id.
 */
export function field(label, control, { field: path, hint, className = '' } = {}) {
  const id = control.id || uid('f');
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h('div', { class: `form-field ${className}`.trim(), dataset: { field: path } },
    h('label', { for: id, text: label }),
    control,
    hint ? h('p', { id: hintId, class: 'hint field-hint', text: hint }) : null,
    h('p', { id: errorId, class: 'field-error', role: 'alert', hidden: true }));
}

/** Removes every error shown in `root`. */
export function clearErrors(root) {
  for (const element of root.querySelectorAll('.field-error')) {
    element.hidden = true;
    element.textContent = '';
  }
  for (const element of root.querySelectorAll('[aria-invalid="true"]')) element.setAttribute('aria-invalid', 'false');
}

/**
 * Shows `message` next to the field named `path` in `root`, or next to its nearest named
 * parent (`volumes[0].circle.radius`, then `volumes[0].circle`, then `volumes[0]`, then
 * `volumes`); false when no part of the path is shown in the form.
 */
export function showFieldError(root, path, message) {
  let name = path;
  while (name) {
    const wrapper = root.querySelector(`[data-field="${CSS.escape(name)}"]`);
    const error = wrapper && [...wrapper.querySelectorAll('.field-error')].find((element) => element.closest('[data-field]') === wrapper);
    if (error) {
      error.textContent = message;
      error.hidden = false;
      const control = wrapper.querySelector('input:not([type="hidden"]), select, textarea');
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        control.focus();
      }
      return true;
    }
    const cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('['));
    name = cut > 0 ? name.slice(0, cut) : '';
  }
  return false;
}

/**
 * Shows an API error on the form: next to its field when the server named one shown
 * here, and always as a summary in `summary`.
 */
export function showApiError(root, summary, error, prefix = '') {
  const text = error?.describe ? error.describe() : String(error);
  const path = error?.field ? `${prefix}${error.field}` : '';
  const placed = path ? showFieldError(root, path, error.reason || error.detail || text) : false;
  summary.textContent = placed ? `${text} (shown at the field)` : text;
  summary.hidden = false;
}

/** A number typed in a field; NaN when empty or not a number. */
export function numberOf(input) {
  const text = input.value.trim().replace(/,/g, '');
  return text === '' ? NaN : Number(text);
}
