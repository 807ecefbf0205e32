// The zone planner: declares one of the party's zones, or changes or removes one it
// owns. The shape is drawn on the map (a circle by its centre and a point on it, a
// polygon vertex by vertex) or typed, in decimal degrees or MGRS; both fill the same
// fields, so a drawn shape is corrected by typing. The altitude band is typed in
// metres, feet or flight levels and sent in metres; the time window is in UTC. What the
// server refuses is shown next to the field its `field` names.

import { h, clear, isOperator, formatDistance } from './util.js';
import { circleRing, EARTH_RADIUS } from './geo.js';
import { ZONE_KINDS, isConstraint } from './map.js';
import { toMgrs, fromMgrs, looksLikeMgrs } from './mgrs.js';

const FOOT = 0.3048;
const UNITS = {
  m: { label: 'metres', toMeters: (value) => value, fromMeters: (value) => value },
  ft: { label: 'feet', toMeters: (value) => value * FOOT, fromMeters: (value) => value / FOOT },
  FL: { label: 'flight level', toMeters: (value) => value * 100 * FOOT, fromMeters: (value) => value / (100 * FOOT) },
};
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** A click this close (px) to the first vertex closes the polygon. */
const CLOSE_PIXELS = 12;

/** `37.5, 38.65`, `33.5N 38.65E`, `33.5 -38.65`: a position in decimal degrees. */
function parseDegrees(text) {
  const match = /^\s*([+-]?\d+(?:\.\d+)?)\s*°?\s*([NS])?\s*[,;\s]\s*([+-]?\d+(?:\.\d+)?)\s*°?\s*([EW])?\s*$/i.exec(text);
  if (!match) return null;
  let lat = Number(match[1]);
  let lon = Number(match[3]);
  if (match[2]?.toUpperCase() === 'S') lat = -lat;
  if (match[4]?.toUpperCase() === 'W') lon = -lon;
  return [lat, lon];
}

/** A position typed in either notation; throws an Error saying what is wrong. */
export function parsePosition(text) {
  const value = String(text ?? '').trim();
  if (!value) throw new Error('give a position');
  const degrees = parseDegrees(value);
  if (degrees) {
    const [lat, lon] = degrees;
    if (Math.abs(lat) > 90) throw new Error('the latitude must be between −90 and 90');
    if (Math.abs(lon) > 180) throw new Error('the longitude must be between −180 and 180');
    return degrees;
  }
  if (looksLikeMgrs(value)) return fromMgrs(value);
  throw new Error('not a position: give “latitude, longitude” in decimal degrees (33.5, 38.65) or MGRS (37S FT 14760 07283)');
}

function formatPositionAs([lat, lon], format) {
  if (format === 'mgrs') {
    try {
      return toMgrs(lat, lon);
    } catch {
      // Outside MGRS (the polar regions): degrees still say it.
    }
  }
  return `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
}

/** Metres on the Earth between two positions (great circle, mean radius). */
function distanceBetween([lat1, lon1], [lat2, lon2]) {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2
    + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** An identifier the server accepts, from a name: `Fire base north` → `fire-base-north`. */
export function idFromName(name) {
  return String(name).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9._:-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 128);
}

/** `2026-05-01 12:00` (UTC) to RFC 3339; null when empty; throws when unreadable. */
function parseUtc(text) {
  const value = String(text ?? '').trim();
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(?:Z|UTC)?$/i.exec(value);
  if (!match) throw new Error('write the time as YYYY-MM-DD HH:MM, in UTC');
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match;
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const date = new Date(time);
  if (Number.isNaN(time) || date.getUTCDate() !== Number(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    throw new Error('no such date or time');
  }
  return date.toISOString().replace('.000Z', 'Z');
}

function formatUtc(time) {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return '';
  const text = date.toISOString();
  return `${text.slice(0, 10)} ${date.getUTCSeconds() ? text.slice(11, 19) : text.slice(11, 16)}`;
}

/** A number typed in a field: NaN when empty or unreadable. */
function numberIn(input) {
  const text = input.value.trim().replace(/,/g, '').replace(/\u2212/g, '-');
  return text === '' ? NaN : Number(text);
}

const round = (value, decimals) => Number(value.toFixed(decimals));

export class ZoneEditor {
  /**
   * @param {HTMLElement} root `#zone-editor`
   * @param {{map: import('./map.js').MapView, api: () => import('./api.js').Api | null,
   *   saved: (zone: object) => Promise, announce: (text: string) => void,
   *   live: () => {situation: object, viewer: string, replay: boolean}}} context
   */
  constructor(root, context) {
    this.root = root;
    this.context = context;
    this.map = context.map;
    this.viewer = null;
    this.situation = null;
    this.replay = false;
    this.editing = null; // the zone being changed, or null for a new one
    this.drawing = null; // {kind: 'circle' | 'polygon', center?, before}
    this.idTouched = false;
    this.busy = false;
    this.build();
    this.reset();
  }

  // MARK: building the form

  build() {
    const control = (name, tag, attributes = {}, ...children) => {
      // Named `zone-…`: a control named `id` or `name` would hide the form's own properties.
      const element = h(tag, { id: `zone-${name}`, name: `zone-${name}`, ...attributes }, ...children);
      this[name] = element;
      return element;
    };
    /** A label, its control, an optional hint and the place for the server's error. */
    const field = (name, label, element, { hint, className = '' } = {}) => {
      const hintId = hint ? `zone-${name}-hint` : null;
      const errorId = `zone-${name}-error`;
      element.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
      element.setAttribute('aria-invalid', 'false');
      return h('div', { class: `zone-field ${className}`.trim(), dataset: { zoneField: name } },
        h('label', { for: element.id, text: label }),
        element,
        hint ? h('p', { id: hintId, class: 'hint', text: hint }) : null,
        h('p', { id: errorId, class: 'zone-field-error', hidden: true }));
    };
    const text = (name, attributes = {}) => control(name, 'input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attributes });

    this.legend = h('legend', { id: 'zone-legend', text: 'New zone' });
    this.note = h('p', { id: 'zone-note', class: 'form-status is-note', role: 'status' });
    this.summary = h('p', { id: 'zone-error', class: 'form-error', role: 'alert', hidden: true });
    this.status = h('p', { id: 'zone-status', class: 'form-status', role: 'status' });
    this.drawStatus = h('p', { id: 'zone-draw-status', class: 'zone-draw-status', role: 'status', 'aria-live': 'polite' });
    this.conversion = h('output', { id: 'zone-altitude-conversion', class: 'zone-conversion', for: 'zone-lower zone-upper zone-unit' });
    this.vertexList = h('ol', { id: 'zone-vertices', class: 'zone-vertices', 'aria-label': 'Polygon vertices' });

    const kind = control('kind', 'select', {}, Object.entries(ZONE_KINDS).map(([value, label]) => h('option', { value, text: label })));
    const agreement = control('agreement', 'select');
    const unit = control('unit', 'select', {},
      h('option', { value: 'm', text: 'metres' }), h('option', { value: 'ft', text: 'feet' }), h('option', { value: 'FL', text: 'flight level' }));
    const format = control('format', 'select', {},
      h('option', { value: 'degrees', text: 'latitude, longitude (decimal degrees)' }), h('option', { value: 'mgrs', text: 'MGRS' }));

    this.shapeCircle = h('input', { type: 'radio', id: 'zone-shape-circle', name: 'zone-shape', value: 'circle', checked: true });
    this.shapePolygon = h('input', { type: 'radio', id: 'zone-shape-polygon', name: 'zone-shape', value: 'polygon' });
    this.drawCircleButton = h('button', { type: 'button', id: 'zone-draw-circle', 'aria-pressed': 'false', text: 'Draw circle' });
    this.drawPolygonButton = h('button', { type: 'button', id: 'zone-draw-polygon', 'aria-pressed': 'false', text: 'Draw polygon' });
    this.finishButton = h('button', { type: 'button', id: 'zone-draw-finish', class: 'primary', text: 'Finish polygon', hidden: true });
    this.cancelDrawButton = h('button', { type: 'button', id: 'zone-draw-cancel', text: 'Cancel drawing', hidden: true });
    this.addVertexButton = h('button', { type: 'button', id: 'zone-add-vertex', class: 'small', text: 'Add vertex' });
    this.saveButton = h('button', { type: 'submit', id: 'zone-save', class: 'primary', text: 'Declare zone' });
    this.removeButton = h('button', { type: 'button', id: 'zone-remove', class: 'danger', text: 'Remove zone…', hidden: true });
    this.newButton = h('button', { type: 'button', id: 'zone-new', text: 'New zone' });

    this.circlePart = h('div', { class: 'zone-shape-part', id: 'zone-circle-part' },
      h('div', { class: 'zone-row' },
        field('center', 'Centre', text('center', { placeholder: '33.5, 38.65' }), { className: 'grow' }),
        field('radius', 'Radius (m)', control('radius', 'input', { type: 'text', inputmode: 'decimal', autocomplete: 'off' }), { className: 'narrow' })),
      h('p', { id: 'zone-radius-km', class: 'hint', 'aria-live': 'polite' }));
    this.polygonPart = h('div', { class: 'zone-shape-part', id: 'zone-polygon-part', hidden: true },
      h('div', { class: 'zone-field', dataset: { zoneField: 'polygon' } },
        h('p', { class: 'zone-subhead', id: 'zone-vertices-title', text: 'Vertices, in order (the ring closes itself)' }),
        this.vertexList,
        h('p', { id: 'zone-polygon-error', class: 'zone-field-error', hidden: true })),
      h('div', { class: 'zone-actions' }, this.addVertexButton));

    this.form = h('form', { id: 'zone-form', class: 'zone-form', novalidate: true, autocomplete: 'off' },
      this.fieldset = h('fieldset', { id: 'zone-fieldset' },
        this.legend,
        this.note,
        h('div', { class: 'zone-row' },
          field('name', 'Name', text('name', { maxlength: 200 }), { className: 'grow' }),
          field('id', 'Id', text('id', { maxlength: 128, pattern: '[A-Za-z0-9._:-]+' }),
            { className: 'grow', hint: 'Letters, digits, - _ . or : — made from the name unless you type one.' })),
        h('div', { class: 'zone-row' },
          field('kind', 'Kind', kind, { className: 'grow' }),
          field('agreement', 'Under agreement', agreement, { className: 'grow' })),
        h('fieldset', { class: 'zone-group' },
          h('legend', { text: 'Altitude band' }),
          h('div', { class: 'zone-row' },
            field('lower', 'Lower', control('lower', 'input', { type: 'text', inputmode: 'decimal' }), { className: 'narrow' }),
            field('upper', 'Upper', control('upper', 'input', { type: 'text', inputmode: 'decimal' }), { className: 'narrow' }),
            field('unit', 'Unit', unit, { className: 'narrow' })),
          this.conversion),
        h('fieldset', { class: 'zone-group' },
          h('legend', { text: 'Time window (UTC)' }),
          h('div', { class: 'zone-row' },
            field('from', 'From (UTC)', text('from', { placeholder: 'YYYY-MM-DD HH:MM' }), { className: 'grow' }),
            field('until', 'Until (UTC)', text('until', { placeholder: 'YYYY-MM-DD HH:MM' }), { className: 'grow' })),
          h('p', { class: 'hint', text: 'Times are UTC (Z), not this computer’s time zone. Empty: no start, no end.' })),
        h('fieldset', { class: 'zone-group' },
          h('legend', { text: 'Shape' }),
          h('div', { class: 'zone-row', role: 'radiogroup', 'aria-label': 'Shape' },
            h('label', { class: 'toggle', for: 'zone-shape-circle' }, this.shapeCircle, ' Circle'),
            h('label', { class: 'toggle', for: 'zone-shape-polygon' }, this.shapePolygon, ' Polygon')),
          field('format', 'Coordinates as', format),
          this.circlePart,
          this.polygonPart,
          h('div', { class: 'zone-actions' }, this.drawCircleButton, this.drawPolygonButton, this.finishButton, this.cancelDrawButton),
          this.drawStatus),
        this.summary,
        h('div', { class: 'zone-actions zone-submit' }, this.saveButton, this.removeButton, this.newButton),
        this.status));
    clear(this.root);
    this.root.append(this.form);
    this.bind();
  }

  bind() {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
    this.name.addEventListener('input', () => {
      if (!this.idTouched && !this.editing) this.id.value = idFromName(this.name.value);
    });
    this.id.addEventListener('input', () => {
      this.idTouched = this.id.value.trim() !== '';
    });
    this.unit.addEventListener('focus', () => {
      this.unitBefore = this.unit.value;
    });
    this.unit.addEventListener('change', () => this.changeUnit());
    for (const input of [this.lower, this.upper]) input.addEventListener('input', () => this.showConversion());
    this.format.addEventListener('change', () => this.changeFormat());
    for (const radio of [this.shapeCircle, this.shapePolygon]) radio.addEventListener('change', () => this.changeShape());
    for (const input of [this.center, this.radius]) input.addEventListener('input', () => this.showPreview());
    this.vertexList.addEventListener('input', () => this.showPreview());
    this.drawCircleButton.addEventListener('click', () => (this.drawing?.kind === 'circle' ? this.cancelDrawing() : this.startDrawing('circle')));
    this.drawPolygonButton.addEventListener('click', () => (this.drawing?.kind === 'polygon' ? this.finishDrawing() : this.startDrawing('polygon')));
    this.finishButton.addEventListener('click', () => this.finishDrawing());
    this.cancelDrawButton.addEventListener('click', () => this.cancelDrawing());
    this.addVertexButton.addEventListener('click', () => this.addVertex('', { focus: true }));
    this.removeButton.addEventListener('click', () => this.editing && this.confirmRemove(this.editing));
    this.newButton.addEventListener('click', () => this.openNew());
    this.form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.drawing) {
        event.preventDefault();
        this.cancelDrawing();
      }
    });
  }

  // MARK: state from the console

  /** The live situation, the viewer, and whether a past instant is shown. */
  update({ situation, viewer, replay }) {
    this.situation = situation;
    this.viewer = viewer;
    this.replay = replay;
    this.fillAgreements();
    const reason = isOperator(viewer)
      ? 'The operator acts for no party: it cannot declare or change zones. Sign in with a party’s key.'
      : replay ? 'Replay: planning is off while a past instant is shown. Go back to live to declare or change zones.' : '';
    if (reason && this.drawing) this.cancelDrawing();
    this.fieldset.disabled = Boolean(reason) || this.busy;
    this.note.textContent = reason;
    this.note.hidden = !reason;
    this.root.dataset.disabled = reason ? 'true' : 'false';
    // The zone being changed was removed meanwhile (by another console of the party).
    if (this.editing && situation && !replay && !(situation.zones ?? []).some((zone) => zone.id === this.editing.id)) {
      this.status.textContent = `Zone ${this.editing.id} no longer exists; saving declares it again.`;
    }
  }

  fillAgreements() {
    const select = this.agreement;
    const current = select.value || this.wantedAgreement || '';
    const viewerAgreements = (this.situation?.agreements ?? []).filter((agreement) => agreement.signatories && this.viewer in agreement.signatories);
    // Rebuilt only when the choices change: an open list is not pulled from under the user.
    const signature = JSON.stringify([current, viewerAgreements.map((agreement) => [agreement.id, agreement.title, agreement.signatories[this.viewer]])]);
    if (signature === this.agreementSignature && select.options.length) return;
    this.agreementSignature = signature;
    clear(select);
    select.append(h('option', { value: '', text: '— none —' }));
    const viewer = this.viewer;
    const agreements = (this.situation?.agreements ?? []).filter((agreement) => agreement.signatories && viewer in agreement.signatories);
    for (const agreement of agreements) {
      const status = agreement.signatories[viewer];
      const title = agreement.title && agreement.title !== agreement.id ? `${agreement.title} (${agreement.id})` : agreement.id;
      select.append(h('option', { value: agreement.id, text: status === 'signed' ? title : `${title} — you: ${status}` }));
    }
    if (current && ![...select.options].some((option) => option.value === current)) {
      select.append(h('option', { value: current, text: `${current} (not among your agreements)` }));
    }
    select.value = current;
  }

  reset() {
    this.cancelDrawing({ quiet: true });
    this.editing = null;
    this.wantedAgreement = '';
    this.idTouched = false;
    for (const input of [this.name, this.id, this.center, this.radius, this.lower, this.upper, this.from, this.until]) input.value = '';
    this.id.readOnly = false;
    this.kind.value = 'deconfliction-zone';
    this.agreement.value = '';
    this.unit.value = 'm';
    this.unitBefore = 'm';
    this.shapeCircle.checked = true;
    clear(this.vertexList);
    this.clearErrors();
    this.legend.textContent = 'New zone';
    this.saveButton.textContent = 'Declare zone';
    this.removeButton.hidden = true;
    this.drawStatus.textContent = '';
    this.changeShape();
    this.showConversion();
    this.showPreview();
  }

  // MARK: opening

  openNew() {
    this.reset();
    this.status.textContent = '';
    this.reveal();
    this.name.focus();
  }

  /** Fills the form from one of the viewer's zones, to change it. */
  openEdit(zone) {
    this.reset();
    this.editing = zone;
    this.legend.textContent = `Change zone ${zone.name || zone.id}`;
    this.saveButton.textContent = 'Save changes';
    this.removeButton.hidden = false;
    this.name.value = zone.name ?? '';
    this.id.value = zone.id;
    this.id.readOnly = true; // another id would declare another zone
    this.kind.value = zone.kind in ZONE_KINDS ? zone.kind : 'deconfliction-zone';
    this.wantedAgreement = zone.agreement ?? '';
    this.fillAgreements();
    this.agreement.value = zone.agreement ?? '';
    if (Array.isArray(zone.altitude) && zone.altitude.length === 2) {
      this.lower.value = String(round(zone.altitude[0], 2));
      this.upper.value = String(round(zone.altitude[1], 2));
    }
    this.from.value = zone.from ? formatUtc(zone.from) : '';
    this.until.value = zone.until ? formatUtc(zone.until) : '';
    const format = this.format.value;
    if (zone.polygon) {
      this.shapePolygon.checked = true;
      for (const position of zone.polygon[0] ?? []) this.addVertex(formatPositionAs(position, format));
    } else if (zone.circle) {
      this.shapeCircle.checked = true;
      this.center.value = formatPositionAs(zone.circle.center, format);
      this.radius.value = String(round(zone.circle.radius, 2));
    }
    if (zone.polygon && zone.polygon.length > 1) {
      this.status.textContent = `This zone has ${zone.polygon.length - 1} hole(s): saving here keeps the outer ring only.`;
    } else {
      this.status.textContent = '';
    }
    this.changeShape();
    this.showConversion();
    this.showPreview();
    this.reveal();
    this.name.focus();
  }

  /** Brings the form into view (below the map on a phone). */
  reveal() {
    const section = this.root.closest('section') ?? this.root;
    section.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  /** The buttons offered with a selected zone the viewer owns (in the map's details). */
  infoActions(selection) {
    // Asked while the map is drawn, before this editor hears of the new situation.
    const { situation, viewer, replay } = this.context.live?.() ?? this;
    if (selection?.type !== 'zone' || replay || isOperator(viewer)) return [];
    const zone = (situation?.zones ?? []).find((entry) => entry.id === selection.id);
    if (!zone || zone.owner !== viewer || isConstraint(zone)) return [];
    const label = zone.name || zone.id;
    return [
      h('button', { type: 'button', class: 'small', dataset: { focusKey: `edit-zone:${zone.id}`, action: 'edit-zone' },
        'aria-label': `Edit zone ${label}`, text: 'Edit', onclick: () => this.openEdit(zone) }),
      h('button', { type: 'button', class: 'small', dataset: { focusKey: `remove-zone:${zone.id}`, action: 'remove-zone' },
        'aria-label': `Remove zone ${label}`, text: 'Remove…', onclick: () => this.confirmRemove(zone) }),
    ];
  }

  // MARK: fields

  changeUnit() {
    const before = UNITS[this.unitBefore] ?? UNITS.m;
    const after = UNITS[this.unit.value] ?? UNITS.m;
    // The band stays the same: the typed figures are converted.
    for (const input of [this.lower, this.upper]) {
      const value = numberIn(input);
      if (Number.isFinite(value)) input.value = String(round(after.fromMeters(before.toMeters(value)), this.unit.value === 'FL' ? 1 : 0));
    }
    this.unitBefore = this.unit.value;
    this.showConversion();
  }

  /** The band in metres, `null` when both figures are empty (every altitude). */
  altitudeMeters() {
    const unit = UNITS[this.unit.value] ?? UNITS.m;
    const lower = numberIn(this.lower);
    const upper = numberIn(this.upper);
    if (Number.isNaN(lower) && Number.isNaN(upper) && !this.lower.value.trim() && !this.upper.value.trim()) return null;
    return [lower, upper].map((value) => (Number.isFinite(value) ? round(unit.toMeters(value), 2) : NaN));
  }

  showConversion() {
    const band = this.altitudeMeters();
    const format = (value) => Math.round(value).toLocaleString('en-US');
    if (band === null) {
      this.conversion.textContent = 'No band given: every altitude, from the ground up.';
    } else if (band.some(Number.isNaN)) {
      this.conversion.textContent = 'Give both figures, lower and upper (or neither for every altitude).';
    } else {
      const feet = this.unit.value === 'm' ? ` (${format(band[0] / FOOT)}–${format(band[1] / FOOT)} ft)` : '';
      const note = this.unit.value === 'FL' ? ' FL × 100 ft, without pressure correction.' : '';
      this.conversion.textContent = `= ${format(band[0])}–${format(band[1])} m above the WGS84 ellipsoid${feet}.${note}`;
    }
    this.conversion.dataset.meters = band && !band.some(Number.isNaN) ? band.join(',') : '';
  }

  get shape() {
    return this.shapePolygon.checked ? 'polygon' : 'circle';
  }

  changeShape() {
    if (this.drawing && this.drawing.kind !== this.shape) this.cancelDrawing({ quiet: true });
    this.circlePart.hidden = this.shape !== 'circle';
    this.polygonPart.hidden = this.shape !== 'polygon';
    if (this.shape === 'polygon' && !this.vertexList.children.length) for (let i = 0; i < 3; i += 1) this.addVertex('');
    this.showPreview();
  }

  /** Typed positions are written again in the notation chosen. */
  changeFormat() {
    const rewrite = (input) => {
      try {
        if (input.value.trim()) input.value = formatPositionAs(parsePosition(input.value), this.format.value);
      } catch {
        // Left as typed: the error shows when saving.
      }
    };
    rewrite(this.center);
    for (const input of this.vertexInputs()) rewrite(input);
    this.center.placeholder = this.format.value === 'mgrs' ? '37S FT 14760 07283' : '33.5, 38.65';
  }

  vertexInputs() {
    return [...this.vertexList.querySelectorAll('input')];
  }

  addVertex(value, { focus = false } = {}) {
    const index = this.vertexList.children.length;
    const id = `zone-vertex-${index}`;
    const input = h('input', {
      type: 'text', id, class: 'zone-vertex-input', value, autocomplete: 'off', spellcheck: 'false',
      'aria-invalid': 'false', 'aria-describedby': `${id}-error`, dataset: { vertex: index },
      placeholder: this.format.value === 'mgrs' ? '37S FT 14760 07283' : '33.5, 38.65',
    });
    input.value = value;
    const item = h('li', { class: 'zone-vertex', dataset: { zoneField: `polygon[0][${index}]` } },
      h('label', { for: id, text: `Vertex ${index + 1}` }),
      input,
      h('button', {
        type: 'button', class: 'small', 'aria-label': `Remove vertex ${index + 1}`, text: '×',
        onclick: () => {
          item.remove();
          this.renumberVertices();
          this.showPreview();
        },
      }),
      h('p', { id: `${id}-error`, class: 'zone-field-error', hidden: true }));
    this.vertexList.append(item);
    if (focus) input.focus();
    return input;
  }

  renumberVertices() {
    [...this.vertexList.children].forEach((item, index) => {
      const id = `zone-vertex-${index}`;
      item.dataset.zoneField = `polygon[0][${index}]`;
      const input = item.querySelector('input');
      input.id = id;
      input.dataset.vertex = index;
      input.setAttribute('aria-describedby', `${id}-error`);
      item.querySelector('label').htmlFor = id;
      item.querySelector('label').textContent = `Vertex ${index + 1}`;
      item.querySelector('button').setAttribute('aria-label', `Remove vertex ${index + 1}`);
      item.querySelector('.zone-field-error').id = `${id}-error`;
    });
  }

  /** The positions typed so far (those that read), for the preview. */
  typedVertices() {
    const out = [];
    for (const input of this.vertexInputs()) {
      try {
        if (input.value.trim()) out.push(parsePosition(input.value));
      } catch {
        // Not drawn until it reads.
      }
    }
    return out;
  }

  typedCircle() {
    try {
      const center = parsePosition(this.center.value);
      const radius = numberIn(this.radius);
      return { center, radius: Number.isFinite(radius) && radius > 0 ? radius : null };
    } catch {
      return null;
    }
  }

  /** Draws the shape in the fields on the map (what drawing adds comes on top). */
  showPreview(pointer) {
    const radiusHint = this.root.querySelector('#zone-radius-km');
    const radius = numberIn(this.radius);
    radiusHint.textContent = Number.isFinite(radius) && radius > 0 ? `= ${formatDistance(radius)}` : '';
    if (this.shape === 'circle') {
      const circle = this.typedCircle();
      if (!circle) {
        this.map.setPreview(null);
        return;
      }
      let { radius: r } = circle;
      if (this.drawing?.kind === 'circle' && this.drawing.center && pointer) r = distanceBetween(circle.center, pointer);
      this.map.setPreview({ rings: r ? [circleRing(circle.center, r)] : [], points: [circle.center] });
      return;
    }
    const vertices = this.typedVertices();
    if (!vertices.length) {
      this.map.setPreview(null);
      return;
    }
    if (this.drawing?.kind === 'polygon') {
      this.map.setPreview({ line: pointer ? [...vertices, pointer] : vertices, points: vertices, rings: vertices.length >= 3 && !pointer ? [vertices] : [] });
    } else {
      this.map.setPreview({ rings: vertices.length >= 3 ? [vertices] : [], line: vertices.length < 3 ? vertices : [], points: vertices });
    }
  }

  // MARK: drawing on the map

  startDrawing(kind) {
    if (this.fieldset.disabled) return;
    this.cancelDrawing({ quiet: true });
    if (kind === 'polygon') this.shapePolygon.checked = true;
    else this.shapeCircle.checked = true;
    this.changeShape();
    // What Escape brings back.
    const before = { center: this.center.value, radius: this.radius.value, vertices: this.vertexInputs().map((input) => input.value) };
    this.drawing = { kind, center: null, before };
    if (kind === 'polygon') {
      clear(this.vertexList);
      this.drawStatus.textContent = 'Click each vertex on the map. Click the first vertex again, press Enter or “Finish polygon” to close it; Escape cancels.';
    } else {
      this.drawStatus.textContent = 'Click the centre on the map, then a point on the circle. Escape cancels.';
    }
    this.map.startDrawing({
      onPoint: (position) => this.drawPoint(position),
      onMove: (position) => this.showPreview(position),
      onFinish: () => this.finishDrawing(),
      onCancel: () => this.cancelDrawing(),
    });
    this.drawCircleButton.setAttribute('aria-pressed', String(kind === 'circle'));
    this.drawPolygonButton.setAttribute('aria-pressed', String(kind === 'polygon'));
    this.drawPolygonButton.textContent = kind === 'polygon' ? 'Drawing polygon…' : 'Draw polygon';
    this.drawCircleButton.textContent = kind === 'circle' ? 'Drawing circle…' : 'Draw circle';
    this.finishButton.hidden = kind !== 'polygon';
    this.cancelDrawButton.hidden = false;
    this.root.dataset.drawing = kind;
    this.showPreview();
    const map = this.map.container;
    const box = map.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) map.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    map.focus({ preventScroll: true });
  }

  drawPoint(position) {
    const drawing = this.drawing;
    if (!drawing) return;
    const text = formatPositionAs(position, this.format.value);
    if (drawing.kind === 'circle') {
      if (!drawing.center) {
        drawing.center = position;
        this.center.value = text;
        this.radius.value = '';
        this.drawStatus.textContent = 'Centre set. Click a point on the circle to set the radius.';
        this.showPreview(position);
      } else {
        this.radius.value = String(Math.max(1, Math.round(distanceBetween(drawing.center, position))));
        this.endDrawing(`Circle drawn: ${formatDistance(numberIn(this.radius))} around ${this.center.value}. Correct it by typing if needed.`);
      }
      return;
    }
    const vertices = this.typedVertices();
    if (vertices.length >= 3) {
      const [fx, fy] = this.map.screenPoint(vertices[0]);
      const [px, py] = this.map.screenPoint(position);
      if (Math.hypot(fx - px, fy - py) <= CLOSE_PIXELS) {
        this.finishDrawing();
        return;
      }
    }
    this.addVertex(text);
    const count = this.vertexInputs().length;
    this.drawStatus.textContent = count < 3
      ? `Vertex ${count} set. ${3 - count} more at least.`
      : `Vertex ${count} set. Click the first vertex, press Enter or “Finish polygon” to close the polygon.`;
    this.showPreview(position);
  }

  finishDrawing() {
    if (!this.drawing) return;
    if (this.drawing.kind === 'polygon') {
      const count = this.typedVertices().length;
      if (count < 3) {
        this.drawStatus.textContent = `A polygon needs three vertices at least (${count} so far). Escape cancels.`;
        return;
      }
      this.endDrawing(`Polygon drawn with ${count} vertices. Correct them by typing if needed.`);
    } else {
      this.drawStatus.textContent = 'Click a point on the circle to set the radius, or type it. Escape cancels.';
    }
  }

  cancelDrawing({ quiet = false } = {}) {
    const drawing = this.drawing;
    if (!drawing) return;
    this.center.value = drawing.before.center;
    this.radius.value = drawing.before.radius;
    if (drawing.kind === 'polygon') {
      clear(this.vertexList);
      for (const value of drawing.before.vertices) this.addVertex(value);
    }
    this.endDrawing(quiet ? '' : 'Drawing cancelled; the shape is as it was.');
  }

  endDrawing(message) {
    this.drawing = null;
    this.map.stopDrawing();
    this.drawCircleButton.setAttribute('aria-pressed', 'false');
    this.drawPolygonButton.setAttribute('aria-pressed', 'false');
    this.drawCircleButton.textContent = 'Draw circle';
    this.drawPolygonButton.textContent = 'Draw polygon';
    this.finishButton.hidden = true;
    this.cancelDrawButton.hidden = true;
    delete this.root.dataset.drawing;
    this.drawStatus.textContent = message;
    this.showPreview();
  }

  // MARK: errors

  clearErrors() {
    for (const element of this.root.querySelectorAll('.zone-field-error')) {
      element.hidden = true;
      element.textContent = '';
    }
    for (const element of this.root.querySelectorAll('[aria-invalid="true"]')) element.setAttribute('aria-invalid', 'false');
    this.summary.hidden = true;
    this.summary.textContent = '';
  }

  /**
   * The control a JSON path names (`zone.circle.radius`, `zone.polygon.outer[3]`,
   * `zone.altitude`, `zone.until`, `agreement`), or null when the form has none for it.
   */
  controlFor(path) {
    const name = String(path ?? '').replace(/^zone\./, '').replace(/^\$\.?/, '');
    // `polygon[0][3]` as sent, or `polygon.outer[3]` as the geometry names it.
    const vertex = /^polygon(?:\[0\]\[(\d+)\]|\.outer\[(\d+)\])/.exec(name);
    if (vertex) return this.vertexInputs()[Number(vertex[1] ?? vertex[2])] ?? this.vertexInputs()[0] ?? null;
    if (name.startsWith('polygon')) return this.vertexInputs()[0] ?? null;
    if (name.startsWith('circle.radius') || name === 'radius') return this.radius;
    if (name.startsWith('circle')) return this.center;
    if (name === 'altitude[1]') return this.upper;
    if (name.startsWith('altitude')) return this.lower;
    const direct = { id: this.id, name: this.name, kind: this.kind, agreement: this.agreement, from: this.from, until: this.until };
    return direct[name.split(/[.[]/)[0]] ?? null;
  }

  /** Shows `message` next to `control` and marks it invalid; the first such gets the focus. */
  showFieldError(control, message, { focus = true } = {}) {
    const error = document.getElementById(`${control.id}-error`);
    if (error) {
      error.textContent = message;
      error.hidden = false;
    }
    control.setAttribute('aria-invalid', 'true');
    if (focus) {
      // The field may be in a part hidden by the shape chosen.
      control.focus();
      control.scrollIntoView({ block: 'center', behavior: 'smooth' });
    }
  }

  // MARK: saving and removing

  /** The zone as the API takes it, or null after showing what is wrong. */
  collect() {
    this.clearErrors();
    const problems = [];
    const fail = (control, message) => problems.push([control, message]);
    const name = this.name.value.trim();
    let id = this.id.value.trim();
    if (!id && name) {
      id = idFromName(name);
      this.id.value = id;
    }
    if (!id) fail(this.name, 'Give the zone a name (its id is made from it) or an id.');
    else if (!ID_PATTERN.test(id)) fail(this.id, 'An id is 1 to 128 letters, digits, -, _, . or :.');
    else if (!this.editing) {
      const existing = (this.situation?.zones ?? []).find((zone) => zone.id === id);
      if (existing) fail(this.id, `Zone ${id} exists already (owner ${existing.owner}): choose another id${existing.owner === this.viewer ? ', or select that zone on the map and Edit it' : ''}.`);
    }
    const zone = { id, name: name || id, kind: this.kind.value };
    if (this.agreement.value) zone.agreement = this.agreement.value;
    if (this.shape === 'circle') {
      let center = null;
      try {
        center = parsePosition(this.center.value);
      } catch (error) {
        fail(this.center, `Centre: ${error.message}.`);
      }
      const radius = numberIn(this.radius);
      if (Number.isNaN(radius)) fail(this.radius, 'Give the radius in metres (or draw the circle on the map).');
      // Whether the radius is positive and not too large is the server's to say.
      if (center && !Number.isNaN(radius)) zone.circle = { center: { lat: round(center[0], 7), lng: round(center[1], 7) }, radius };
    } else {
      const ring = [];
      const inputs = this.vertexInputs().filter((input) => input.value.trim());
      for (const input of inputs) {
        try {
          const [lat, lng] = parsePosition(input.value);
          ring.push({ lat: round(lat, 7), lng: round(lng, 7) });
        } catch (error) {
          fail(input, `${error.message}.`);
        }
      }
      if (inputs.length < 3) fail(this.vertexInputs()[inputs.length] ?? this.addVertex(''), 'A polygon needs three vertices at least: draw it on the map or type them.');
      if (ring.length === inputs.length && inputs.length >= 3) zone.polygon = [ring];
    }
    const band = this.altitudeMeters();
    if (band) {
      if (Number.isNaN(band[0])) fail(this.lower, 'Give the lower altitude as a number (or leave both empty).');
      if (Number.isNaN(band[1])) fail(this.upper, 'Give the upper altitude as a number (or leave both empty).');
      // Whether lower ≤ upper is the server's to say.
      if (!band.some(Number.isNaN)) zone.altitude = band;
    }
    for (const [control, key] of [[this.from, 'from'], [this.until, 'until']]) {
      try {
        const time = parseUtc(control.value);
        if (time) zone[key] = time;
      } catch (error) {
        fail(control, `${error.message}.`);
      }
    }
    if (this.editing) {
      // What the form does not show is kept as it is.
      if (Array.isArray(this.editing.allowed) && this.editing.allowed.length) zone.allowed = this.editing.allowed;
      if (this.editing.revalidateBy) zone.revalidateBy = this.editing.revalidateBy;
    }
    if (problems.length) {
      problems.forEach(([control, message], index) => this.showFieldError(control, message, { focus: index === 0 }));
      this.summary.textContent = `Not saved: ${problems.length === 1 ? 'one field needs' : `${problems.length} fields need`} correcting (shown at the field${problems.length === 1 ? '' : 's'}).`;
      this.summary.hidden = false;
      return null;
    }
    return zone;
  }

  async save() {
    if (this.busy || this.fieldset.disabled) return;
    if (this.drawing) this.finishDrawing();
    if (this.drawing) return;
    const zone = this.collect();
    if (!zone) return;
    const api = this.context.api();
    if (!api) return;
    const editing = Boolean(this.editing);
    this.setBusy(true, editing ? 'Saving…' : 'Declaring…');
    let answer;
    try {
      answer = await api.putZone(zone);
    } catch (error) {
      // Enabled again first: a disabled field cannot take the focus.
      this.setBusy(false);
      this.status.textContent = '';
      this.showServerError(error);
      return;
    }
    this.setBusy(false);
    this.reset();
    const text = `Zone ${answer?.name || zone.name} (${zone.id}) ${editing ? 'saved' : 'declared'}${answer?.sequence ? `, ledger entry ${answer.sequence}` : ''}.`;
    this.status.textContent = text;
    this.context.announce(text);
    await this.context.saved(answer ?? zone);
  }

  /** The server's refusal: at its field when the form has one, always in the summary. */
  showServerError(error) {
    const text = error?.describe ? error.describe() : String(error);
    const control = error?.field ? this.controlFor(error.field) : null;
    if (control && !control.closest('[hidden]')) {
      this.showFieldError(control, error.reason || error.detail || text);
      this.summary.textContent = `Not saved: ${text}`;
    } else {
      this.summary.textContent = `Not saved: ${text}`;
      this.summary.focus?.();
    }
    this.summary.hidden = false;
    this.summary.dataset.field = error?.field ?? '';
  }

  setBusy(busy, text) {
    this.busy = busy;
    this.fieldset.disabled = busy || Boolean(this.note.textContent);
    this.saveButton.setAttribute('aria-busy', String(busy));
    if (busy) this.status.textContent = text;
  }

  /** Asks before removing one of the viewer's zones, then removes it. */
  confirmRemove(zone) {
    const label = zone.name || zone.id;
    const dialog = h('dialog', { class: 'zone-confirm', 'aria-labelledby': 'zone-confirm-title', 'aria-describedby': 'zone-confirm-text' });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const cancel = h('button', { type: 'button', id: 'zone-confirm-cancel', text: 'Keep the zone' });
    const confirm = h('button', { type: 'button', id: 'zone-confirm-remove', class: 'primary danger', text: `Remove ${label}` });
    dialog.append(h('form', { method: 'dialog' },
      h('h2', { id: 'zone-confirm-title', text: `Remove zone ${label}?` }),
      h('p', { id: 'zone-confirm-text', class: 'muted', text: 'It stops protecting anything at once, for every party. The ledger keeps its record.' }),
      error,
      h('div', { class: 'dialog-actions' }, cancel, confirm)));
    const opener = document.activeElement;
    const close = () => {
      dialog.close();
      dialog.remove();
      if (opener && document.contains(opener)) opener.focus();
    };
    cancel.addEventListener('click', close);
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close();
    });
    confirm.addEventListener('click', async () => {
      const api = this.context.api();
      if (!api) return;
      confirm.disabled = true;
      try {
        const answer = await api.removeZone(zone.id);
        close();
        if (this.editing?.id === zone.id) this.reset();
        this.map.select(null);
        const text = `Zone ${label} removed${answer?.sequence ? `, ledger entry ${answer.sequence}` : ''}.`;
        this.status.textContent = text;
        this.context.announce(text);
        await this.context.saved(null);
      } catch (failure) {
        error.textContent = `Not removed: ${failure?.describe ? failure.describe() : failure}`;
        error.hidden = false;
        confirm.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  }
}
