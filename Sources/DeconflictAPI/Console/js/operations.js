// The signed-in party's operations: filing one (its volumes typed in, or drawn on the
// map when the map offers drawing), checking it against zones and other parties'
// operations first, giving notice of it and following the notice's receipts, and
// moving it through its states.

import { h, reconcile, signatureOf, timeElement, formatDuration, formatAltitudeBand, formatDistance, formatDateTime, ms } from './util.js';
import { field, clearErrors, showApiError, numberOf, uid } from './forms.js';
import { EARTH_RADIUS, circleRing } from './geo.js';

/** The states an operation may be moved to from each state, with the button's text. */
const NEXT_STATES = {
  planned: [['active', 'Activate'], ['cancelled', 'Cancel']],
  active: [['completed', 'Complete'], ['cancelled', 'Cancel']],
  completed: [['planned', 'Plan again']],
  cancelled: [['planned', 'Plan again']],
};

const pad = (value) => String(value).padStart(2, '0');

/** `2017-06-06 08:00` in UTC, as typed in the time fields. */
function typedTime(value) {
  const date = new Date(value);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/**
 * A UTC time typed as `2017-06-06 08:00`, `2017-06-06T08:00:30Z` and the like, as an RFC
 * 3339 string; '' when empty, null when unreadable.
 */
export function parseUTC(text) {
  const value = text.trim();
  if (!value) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?\s*(?:Z|UTC|\+00:?00)?$/i.exec(value);
  if (!match) return null;
  const [, year, month, day, hours, minutes, seconds = '00'] = match;
  const time = Date.UTC(+year, +month - 1, +day, +hours, +minutes, +seconds);
  const date = new Date(time);
  if (Number.isNaN(time) || date.getUTCDate() !== +day || +hours > 23 || +minutes > 59 || +seconds > 59) return null;
  return `${year}-${month}-${day}T${hours}:${minutes}:${seconds}Z`;
}

/** Vertices typed one a line as `lat, lon`: [[lat, lon], …], or the line number at fault. */
export function parseVertices(text) {
  const vertices = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index].trim();
    if (!line) continue;
    const parts = line.split(/[\s,;]+/).filter(Boolean).map(Number);
    if (parts.length !== 2 || !parts.every(Number.isFinite)) return { line: index + 1 };
    vertices.push(parts);
  }
  return { vertices };
}

/** `circle 10.0 km around 33.5000° N…` and the like, for a volume as the API writes it. */
function describeVolume(volume) {
  let shape = 'volume';
  if (volume.circle) {
    const [lat, lon] = volume.circle.center;
    shape = `circle of ${formatDistance(volume.circle.radius)} around ${lat.toFixed(4)}, ${lon.toFixed(4)}`;
  } else if (Array.isArray(volume.polygon)) {
    shape = `polygon of ${volume.polygon[0]?.length ?? 0} vertices`;
  }
  return `${shape} · ${formatAltitudeBand(volume.altitude)} · ${describeWindow(volume.from, volume.until)}`;
}

function describeWindow(from, until) {
  if (!from && !until) return 'at all times';
  return `${from ? formatDateTime(from) : 'any time'} to ${until ? formatDateTime(until) : 'open end'}`;
}

/** The earliest start of an operation's volumes (ms), NaN when one has none. */
function startOf(volumes) {
  const starts = volumes.map((volume) => ms(volume.from));
  return starts.some(Number.isNaN) ? NaN : Math.min(...starts);
}

/**
 * The notice owed for an operation of `viewer` starting at `start`: the longest lead
 * time of the agreements it signed (as the server checks), and whether a notice given
 * at `now` is in time.
 */
export function noticeVerdict(agreements, viewer, start, now) {
  const bound = agreements.filter((agreement) => agreement.signatories?.[viewer] === 'signed'
    && typeof agreement.parameters?.noticeLeadSeconds === 'number');
  if (!bound.length) return { owed: false, text: 'No agreement binds your party: no notice is owed.' };
  const strictest = bound.reduce((a, b) => (b.parameters.noticeLeadSeconds > a.parameters.noticeLeadSeconds ? b : a));
  const lead = strictest.parameters.noticeLeadSeconds;
  const under = `${formatDuration(lead)} under ${strictest.title || strictest.id}`;
  if (Number.isNaN(start)) {
    return { owed: true, late: false, text: `Lead time ${under}. The operation has no start time: the lead time is checked when it is activated.` };
  }
  const ahead = (start - now) / 1000;
  if (ahead >= lead) {
    return { owed: true, late: false, text: `In time: it starts in ${formatDuration(ahead)}; notice is due by ${formatDateTime(start - lead * 1000)} (lead time ${under}).` };
  }
  return {
    owed: true, late: true,
    text: `Late: it starts ${ahead >= 0 ? `in ${formatDuration(ahead)}` : `${formatDuration(ahead)} ago`}, less than the lead time of ${under}; a notice now raises a late-notice alert.`,
  };
}

/**
 * The server's own verdict on the notice (the check's `notice`: the lead time, the
 * agreement asking it, who is owed it, when it is due and whether a notice now is late),
 * worded as `noticeVerdict` words the console's.
 */
export function serverNoticeVerdict(notice, agreements, start) {
  const agreement = agreements.find((entry) => entry.id === notice.agreement);
  const under = `${formatDuration(notice.leadSeconds)} under ${agreement?.title || notice.agreement}`;
  const owed = notice.owed?.length ? ` Owed to ${notice.owed.join(', ')}.` : '';
  if (!notice.late) {
    return { owed: true, late: false, text: `In time: notice is due by ${formatDateTime(ms(notice.dueBy))} (lead time ${under}).${owed}` };
  }
  const startText = Number.isNaN(start) ? '' : ` (it starts ${formatDateTime(start)})`;
  return {
    owed: true, late: true,
    text: `Late: notice was due by ${formatDateTime(ms(notice.dueBy))}${startText}, lead time ${under}; a notice now raises a late-notice alert.${owed}`,
  };
}

/** One volume's inputs in the form. */
class VolumeInput {
  constructor(panel, index) {
    this.panel = panel;
    const name = uid('shape');
    this.circleChoice = h('input', { type: 'radio', name, value: 'circle', checked: true });
    this.polygonChoice = h('input', { type: 'radio', name, value: 'polygon' });
    this.lat = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '33.5', dataset: { part: 'lat' } });
    this.lon = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '38.65', dataset: { part: 'lon' } });
    this.radius = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '10', dataset: { part: 'radius' } });
    this.vertices = h('textarea', { rows: '4', spellcheck: 'false', placeholder: '33.60, 38.50\n33.60, 38.70\n33.40, 38.70', dataset: { part: 'polygon' } });
    this.lower = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', value: '0', dataset: { part: 'lower' } });
    this.upper = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', value: '3000', dataset: { part: 'upper' } });
    this.from = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'YYYY-MM-DD HH:MM', dataset: { part: 'from' } });
    this.until = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'YYYY-MM-DD HH:MM', dataset: { part: 'until' } });
    this.legend = h('legend');
    this.remove = h('button', { type: 'button', class: 'small', text: 'Remove', onclick: () => panel.removeVolume(this) });
    this.draw = null;
    if (typeof panel.actions.map?.startDrawing === 'function') {
      this.draw = h('button', { type: 'button', class: 'small', text: 'Draw on map', onclick: () => this.startDrawing() });
    }
    this.drawStatus = h('p', { class: 'hint', role: 'status' });

    const centreId = uid('centre');
    this.circleFields = h('div', { class: 'volume-circle' },
      h('div', { class: 'form-field', dataset: { role: 'center' } },
        h('span', { class: 'field-label', id: centreId, text: 'Centre (degrees, WGS84)' }),
        h('div', { class: 'pair' },
          h('label', { class: 'visually-hidden', for: (this.lat.id = uid('lat')), text: 'Centre latitude' }), this.lat,
          h('label', { class: 'visually-hidden', for: (this.lon.id = uid('lon')), text: 'Centre longitude' }), this.lon),
        h('p', { class: 'hint field-hint', text: 'Latitude, then longitude; north and east positive.' }),
        h('p', { class: 'field-error', role: 'alert', hidden: true })),
      field('Radius (km)', this.radius, { hint: 'Up to 2,000 km.' }));
    this.polygonFields = h('div', { class: 'volume-polygon', hidden: true },
      field('Vertices (one “lat, lon” a line)', this.vertices, { hint: 'At least three; do not repeat the first at the end.' }));
    const altitude = h('div', { class: 'form-field' },
      h('span', { class: 'field-label', text: 'Altitude band (m above the WGS84 ellipsoid)' }),
      h('div', { class: 'pair' },
        h('label', { for: (this.lower.id = uid('lower')), text: 'from' }), this.lower,
        h('label', { for: (this.upper.id = uid('upper')), text: 'to' }), this.upper),
      h('p', { class: 'field-error', role: 'alert', hidden: true }));
    this.altitude = altitude;
    this.fromField = field('From (UTC)', this.from, { hint: 'Empty: from any time.' });
    this.untilField = field('Until (UTC)', this.until, { hint: 'Empty: no end.' });
    this.element = h('fieldset', { class: 'volume-input' },
      this.legend,
      h('div', { class: 'volume-head' },
        h('div', { class: 'shape-choice', role: 'radiogroup', 'aria-label': 'Shape' },
          h('label', {}, this.circleChoice, ' Circle'),
          h('label', {}, this.polygonChoice, ' Polygon')),
        this.draw, this.remove),
      this.drawStatus,
      this.circleFields, this.polygonFields, altitude,
      h('div', { class: 'form-grid' }, this.fromField, this.untilField),
      h('p', { class: 'field-error', role: 'alert', hidden: true }));
    for (const choice of [this.circleChoice, this.polygonChoice]) choice.addEventListener('change', () => this.showShape());
    this.setIndex(index);
  }

  get kind() {
    return this.polygonChoice.checked ? 'polygon' : 'circle';
  }

  showShape() {
    this.circleFields.hidden = this.kind !== 'circle';
    this.polygonFields.hidden = this.kind !== 'polygon';
  }

  /** Names the volume's fields after its place (the server's paths, `volumes[1].until`). */
  setIndex(index) {
    const base = `volumes[${index}]`;
    this.element.dataset.field = base;
    this.legend.textContent = `Volume ${index + 1}`;
    this.remove.setAttribute('aria-label', `Remove volume ${index + 1}`);
    this.draw?.setAttribute('aria-label', `Draw volume ${index + 1} on the map`);
    this.circleFields.dataset.field = `${base}.circle`;
    this.circleFields.querySelector('[data-role="center"]').dataset.field = `${base}.circle.center`;
    this.radius.closest('.form-field').dataset.field = `${base}.circle.radius`;
    this.polygonFields.firstChild.dataset.field = `${base}.polygon`;
    this.altitude.dataset.field = `${base}.altitude`;
    this.fromField.dataset.field = `${base}.from`;
    this.untilField.dataset.field = `${base}.until`;
  }

  /** Fills the empty time fields with a window starting `start` (ms) for two hours. */
  suggestWindow(start) {
    if (this.suggested) return;
    this.suggested = true;
    if (!this.from.value.trim() && !this.until.value.trim()) {
      this.from.value = typedTime(start);
      this.until.value = typedTime(start + 2 * 3600_000);
    }
  }

  /** The volume as the API takes it, or [path, message] pairs for what is wrong. */
  read(index) {
    const base = `volumes[${index}]`;
    const problems = [];
    const volume = {};
    if (this.kind === 'circle') {
      const lat = numberOf(this.lat);
      const lon = numberOf(this.lon);
      const radius = numberOf(this.radius);
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) problems.push([`${base}.circle.center`, 'Type the centre’s latitude and longitude in degrees.']);
      if (!Number.isFinite(radius)) problems.push([`${base}.circle.radius`, 'Type the radius in kilometres.']);
      volume.circle = { center: { lat, lng: lon }, radius: radius * 1000 };
    } else {
      const { vertices, line } = parseVertices(this.vertices.value);
      if (line) problems.push([`${base}.polygon`, `Line ${line}: type “lat, lon” (two numbers).`]);
      else if (vertices.length < 3) problems.push([`${base}.polygon`, 'Type at least three vertices.']);
      else volume.polygon = [vertices.map(([lat, lon]) => ({ lat, lng: lon }))];
    }
    const lower = numberOf(this.lower);
    const upper = numberOf(this.upper);
    if (this.lower.value.trim() || this.upper.value.trim()) {
      if (!Number.isFinite(lower) || !Number.isFinite(upper)) problems.push([`${base}.altitude`, 'Type both altitudes in metres, or leave both empty for every altitude.']);
      else volume.altitude = [lower, upper];
    }
    const from = parseUTC(this.from.value);
    const until = parseUTC(this.until.value);
    if (from === null) problems.push([`${base}.from`, 'Type a UTC time as YYYY-MM-DD HH:MM.']);
    else if (from) volume.from = from;
    if (until === null) problems.push([`${base}.until`, 'Type a UTC time as YYYY-MM-DD HH:MM.']);
    else if (until) volume.until = until;
    return { volume, problems };
  }

  /**
   * Draws the volume's shape on the map, whose clicks give the positions: a circle's
   * centre then a point of its edge, or a polygon's vertices then Enter (or "Finish
   * drawing"). What is drawn fills the fields; Escape cancels.
   */
  startDrawing() {
    const map = this.panel.actions.map;
    if (this.drawing) {
      this.finishDrawing();
      return;
    }
    this.panel.stopOtherDrawing(this);
    const kind = this.kind;
    this.drawing = { kind, points: [] };
    this.draw.textContent = kind === 'polygon' ? 'Finish drawing' : 'Cancel drawing';
    this.drawStatus.textContent = kind === 'circle'
      ? 'Drawing on the map: click the centre, then a point of the edge. Escape cancels.'
      : 'Drawing on the map: click each vertex, then press Enter or “Finish drawing”. Escape cancels.';
    const preview = (pointer) => {
      const points = this.drawing?.points ?? [];
      if (kind === 'circle') {
        const radius = points.length && pointer ? distanceBetween(points[0], pointer) : 0;
        map.setPreview?.({ rings: radius ? [circleRing(points[0], radius)] : [], points });
      } else {
        map.setPreview?.({ line: pointer ? [...points, pointer] : points, points, rings: points.length >= 3 && !pointer ? [points] : [] });
      }
    };
    map.startDrawing({
      onPoint: (position) => {
        if (!this.drawing) return;
        this.drawing.points.push(position);
        if (kind === 'circle' && this.drawing.points.length === 2) {
          this.finishDrawing();
          return;
        }
        if (kind === 'polygon') this.fillFromDrawing(kind, this.drawing.points);
        preview(null);
      },
      onMove: (position) => this.drawing && preview(position),
      onFinish: () => this.finishDrawing(),
      onCancel: () => this.cancelDrawing(),
    });
    this.panel.actions.focusMap?.();
  }

  finishDrawing() {
    const drawing = this.drawing;
    if (!drawing) return;
    const { kind, points } = drawing;
    if (kind === 'polygon' && points.length < 3) {
      this.drawStatus.textContent = 'A polygon needs at least three vertices: click more on the map, or press Escape.';
      return;
    }
    if (kind === 'circle' && points.length < 2) {
      this.drawStatus.textContent = 'Click the centre, then a point of the edge.';
      return;
    }
    this.stopDrawing();
    this.fillFromDrawing(kind, points);
    this.drawStatus.textContent = 'Drawn on the map: the fields below hold it; adjust them if needed.';
    this.draw?.focus();
  }

  cancelDrawing() {
    if (!this.drawing) return;
    this.stopDrawing();
    this.drawStatus.textContent = 'Drawing cancelled.';
    this.draw?.focus();
  }

  stopDrawing() {
    this.drawing = null;
    const map = this.panel.actions.map;
    map.stopDrawing?.();
    map.setPreview?.(null);
    if (this.draw) this.draw.textContent = 'Draw on map';
  }

  fillFromDrawing(kind, points) {
    if (kind === 'circle') {
      const [center, edge] = points;
      this.lat.value = center[0].toFixed(5);
      this.lon.value = center[1].toFixed(5);
      this.radius.value = (distanceBetween(center, edge) / 1000).toFixed(2);
    } else {
      this.vertices.value = points.map(([lat, lon]) => `${lat.toFixed(5)}, ${lon.toFixed(5)}`).join('\n');
    }
  }
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
function distanceBetween([lat1, lon1], [lat2, lon2]) {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2
    + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(a)));
}

export class OperationsPanel {
  /**
   * @param {HTMLElement} root `#operations`
   * @param {{check: (operation) => Promise<object>, file: (operation) => Promise<object>,
   *   notify: (operation) => Promise<object>, setState: (operation, state) => Promise<object>,
   *   announce: (text: string) => void, now: () => number, map?: object, focusMap?: () => void}} actions
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    this.view = { viewer: null, operations: [], agreements: [], messages: [], zones: [], units: [], disabled: null };
    this.pending = new Set();
    this.errors = new Map();
    this.volumes = [];
    this.buildForm();
    this.list = h('ul', { id: 'operations-list', class: 'operation-list', 'aria-labelledby': 'operations-list-title' });
    this.empty = h('p', { class: 'empty', text: 'Your party has no operation.' });
    this.listOff = h('p', { class: 'hint action-off', hidden: true });
    root.append(this.details,
      h('h3', { id: 'operations-list-title', text: 'Your operations' }), this.listOff, this.empty, this.list);
  }

  buildForm() {
    this.id = h('input', { type: 'text', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', maxlength: '128', required: true });
    this.name = h('input', { type: 'text', autocomplete: 'off' });
    this.priority = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', value: '0' });
    this.units = h('div', { class: 'recipient-list' });
    this.unitsEmpty = h('p', { class: 'hint', text: 'Your party has no unit to assign.' });
    this.volumeList = h('div', { class: 'volume-list' });
    this.addVolume = h('button', { type: 'button', class: 'small', text: 'Add a volume', onclick: () => this.appendVolume(true) });
    this.error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    this.result = h('div', { id: 'operation-check', class: 'check-result', role: 'status', 'aria-live': 'polite', hidden: true });
    this.checkButton = h('button', { type: 'button', id: 'operation-check-button', text: 'Check', onclick: () => this.check() });
    this.fileButton = h('button', { type: 'submit', id: 'operation-file-button', class: 'primary', text: 'File' });
    this.off = h('p', { class: 'hint action-off', hidden: true });
    this.fieldset = h('fieldset', {},
      h('legend', { text: 'File an operation' }),
      h('div', { class: 'form-grid' },
        field('Id', this.id, { field: 'id', hint: 'Letters, digits, - _ . : (up to 128).' }),
        field('Name', this.name, { field: 'name', hint: 'The id when empty.' }),
        field('Priority', this.priority, { field: 'priority', hint: 'A whole number; server default 0.' })),
      h('fieldset', { class: 'recipients', dataset: { field: 'units' } },
        h('legend', { text: 'Units taking part' }), this.units, this.unitsEmpty,
        h('p', { class: 'field-error', role: 'alert', hidden: true })),
      this.volumeList,
      h('div', { class: 'form-actions' }, this.addVolume),
      this.error,
      h('div', { class: 'form-actions' }, this.checkButton, this.fileButton),
      this.result);
    this.form = h('form', { id: 'operation-form', class: 'plan-form', novalidate: true, 'aria-label': 'File an operation' }, this.off, this.fieldset);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.file();
    });
    this.details = h('details', { class: 'plan-details', id: 'operation-plan', open: true },
      h('summary', { text: 'File an operation' }), this.form);
    this.appendVolume(false);
  }

  appendVolume(focus) {
    const volume = new VolumeInput(this, this.volumes.length);
    this.volumes.push(volume);
    this.volumeList.append(volume.element);
    const now = this.actions.now();
    if (Number.isFinite(now)) volume.suggestWindow(Math.ceil(now / 600_000) * 600_000 + 2 * 3600_000);
    this.renumber();
    if (focus) volume.lat.focus();
  }

  /** Only one volume is drawn at a time. */
  stopOtherDrawing(current) {
    for (const volume of this.volumes) if (volume !== current && volume.drawing) volume.cancelDrawing();
  }

  removeVolume(volume) {
    if (this.volumes.length < 2) return;
    if (volume.drawing) volume.stopDrawing();
    const index = this.volumes.indexOf(volume);
    this.volumes.splice(index, 1);
    volume.element.remove();
    this.renumber();
    (this.volumes[Math.min(index, this.volumes.length - 1)].lat).focus();
  }

  renumber() {
    this.volumes.forEach((volume, index) => volume.setIndex(index));
    for (const volume of this.volumes) volume.remove.hidden = this.volumes.length < 2;
  }

  reset() {
    for (const volume of this.volumes) if (volume.drawing) volume.stopDrawing();
    this.form.reset();
    clearErrors(this.form);
    for (const volume of this.volumes.slice(1)) volume.element.remove();
    this.volumes.length = 1;
    this.volumes[0].from.value = '';
    this.volumes[0].until.value = '';
    this.volumes[0].suggested = false;
    this.volumes[0].showShape();
    this.renumber();
    this.error.hidden = true;
    this.result.hidden = true;
    this.list.replaceChildren();
    this.units.replaceChildren();
    this.pending.clear();
    this.errors.clear();
    this.view = { viewer: null, operations: [], agreements: [], messages: [], zones: [], units: [], disabled: null };
  }

  /**
   * @param {{viewer: string, situation: object, messages: object[], disabled: string|null}} view
   * `disabled` is why actions are off (replay, the operator), null when they are on.
   */
  render({ viewer, situation, messages, disabled }) {
    const operations = (situation?.operations ?? []).filter((operation) => operation.party === viewer && !operation.reference);
    const units = (situation?.units ?? []).filter((unit) => unit.party === viewer && !unit.reference);
    this.view = {
      viewer, operations, messages, disabled, units,
      agreements: situation?.agreements ?? [], zones: situation?.zones ?? [], allOperations: situation?.operations ?? [],
    };
    this.fieldset.disabled = Boolean(disabled);
    for (const element of [this.off, this.listOff]) {
      element.hidden = !disabled;
      element.textContent = disabled ?? '';
    }
    const now = this.actions.now();
    if (Number.isFinite(now)) for (const volume of this.volumes) volume.suggestWindow(Math.ceil(now / 600_000) * 600_000 + 2 * 3600_000);
    this.renderUnits(units);
    reconcile(this.list, operations, {
      key: (operation) => operation.id,
      signature: (operation) => signatureOf(operation, this.noticesOf(operation), disabled, this.pending.has(operation.id), this.errors.get(operation.id) ?? null),
      build: (operation) => this.buildItem(operation),
    });
    this.empty.hidden = operations.length > 0;
  }

  renderUnits(units) {
    const ids = units.map((unit) => unit.id);
    if (signatureOf(ids) === this.unitIds) return;
    this.unitIds = signatureOf(ids);
    const checked = new Set([...this.units.querySelectorAll('input:checked')].map((input) => input.value));
    this.units.replaceChildren(...units.map((unit) => h('label', { class: 'recipient' },
      h('input', { type: 'checkbox', name: 'unit', value: unit.id, checked: checked.has(unit.id) }),
      ` ${unit.name || unit.id}`)));
    this.unitsEmpty.hidden = units.length > 0;
  }

  /** The notices the server sent of an operation: its `notice:<id>:<n>` messages. */
  noticesOf(operation) {
    const prefix = `notice:${operation.id}:`;
    return (this.view.messages ?? [])
      .filter((message) => message.from === operation.party && (message.id.startsWith(prefix)
        || (message.kind === 'notice' && (message.references ?? []).some((reference) => reference.operation === operation.id))))
      .sort((a, b) => ms(a.sentAt) - ms(b.sentAt));
  }

  // MARK: the form

  /** The operation typed in, or null after marking what is wrong. */
  read() {
    clearErrors(this.form);
    this.error.hidden = true;
    const problems = [];
    const id = this.id.value.trim();
    if (!id) problems.push(['id', 'Give the operation an id.']);
    const operation = { id, volumes: [] };
    const name = this.name.value.trim();
    if (name) operation.name = name;
    const priorityText = this.priority.value.trim();
    if (priorityText) {
      const priority = Number(priorityText);
      if (!Number.isInteger(priority)) problems.push(['priority', 'Type a whole number.']);
      else operation.priority = priority;
    }
    const units = [...this.units.querySelectorAll('input:checked')].map((input) => input.value);
    if (units.length) operation.units = units;
    this.volumes.forEach((input, index) => {
      const { volume, problems: wrong } = input.read(index);
      problems.push(...wrong);
      operation.volumes.push(volume);
    });
    if (problems.length) {
      for (const [path, text] of [...problems].reverse()) this.markField(path, text);
      this.error.textContent = 'Some fields need attention (marked).';
      this.error.hidden = false;
      return null;
    }
    return operation;
  }

  markField(path, text) {
    const wrapper = this.form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    const error = wrapper && [...wrapper.querySelectorAll('.field-error')].find((element) => element.closest('[data-field]') === wrapper);
    if (!error) return;
    error.textContent = text;
    error.hidden = false;
    const control = wrapper.querySelector('input:not([type="radio"]):not(:disabled), textarea');
    control?.setAttribute('aria-invalid', 'true');
    control?.focus();
  }

  setBusy(busy) {
    this.checkButton.disabled = busy;
    this.fileButton.disabled = busy;
  }

  async check() {
    const operation = this.read();
    if (!operation) return;
    this.setBusy(true);
    try {
      const answer = await this.actions.check(operation);
      this.showResult(operation, answer.conflicts ?? [], { filed: false, notice: answer.notice });
    } catch (error) {
      this.result.hidden = true;
      showApiError(this.form, this.error, error);
    } finally {
      this.setBusy(false);
    }
  }

  async file() {
    const operation = this.read();
    if (!operation) return;
    this.setBusy(true);
    try {
      const filed = await this.actions.file(operation);
      this.showResult(operation, filed.conflicts ?? [], { filed: true, state: filed.state });
      this.actions.announce(`Operation ${operation.id} filed.`);
    } catch (error) {
      this.result.hidden = true;
      showApiError(this.form, this.error, error);
    } finally {
      this.setBusy(false);
    }
  }

  /** The server's answer: conflicts named, with what and when, and the notice owed. */
  showResult(operation, conflicts, { filed, state, notice }) {
    const now = this.actions.now();
    // The check answers with the server's verdict; a filing's answer carries none.
    const verdict = notice
      ? serverNoticeVerdict(notice, this.view.agreements, startOf(operation.volumes))
      : noticeVerdict(this.view.agreements, this.view.viewer, startOf(operation.volumes), now);
    this.result.replaceChildren();
    this.result.hidden = false;
    this.result.dataset.clear = conflicts.length ? 'false' : 'true';
    this.result.dataset.filed = filed ? 'true' : 'false';
    this.result.dataset.late = verdict.late ? 'true' : 'false';
    const head = filed
      ? `Filed ${operation.id}${state ? ` (${state})` : ''} at ${formatDateTime(now)}.`
      : `Check at ${formatDateTime(now)} (nothing recorded):`;
    this.result.append(h('p', { class: 'check-head', text: head }));
    if (!conflicts.length) {
      this.result.append(h('p', { class: 'check-clear', text: filed ? 'It enters no zone that excludes your party.' : 'Clear: no conflict with zones or other parties’ operations.' }));
    } else {
      this.result.append(h('p', { class: 'check-conflicts-head', text: `${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}:` }));
      this.result.append(h('ul', { class: 'conflict-list' }, conflicts.map((conflict) => this.conflictItem(conflict))));
    }
    this.result.append(h('p', { class: `check-notice${verdict.late ? ' is-late' : ''}`, dataset: { notice: verdict.owed ? (verdict.late ? 'late' : 'in-time') : 'none' }, text: `Notice: ${verdict.text}` }));
    if (filed) this.result.append(h('p', { class: 'hint', text: 'Give notice from its entry under “Your operations”.' }));
  }

  conflictItem(conflict) {
    if (conflict.zone) {
      const zone = this.view.zones.find((entry) => entry.id === conflict.zone);
      const name = zone?.name && zone.name !== conflict.zone ? `${zone.name} (${conflict.zone})` : conflict.zone;
      return h('li', { class: 'conflict', dataset: { conflictZone: conflict.zone, party: conflict.party } },
        h('strong', { text: `Zone ${name}` }), ` of ${conflict.party}: ${conflict.reason}.`,
        zone ? h('span', { class: 'item-sub', text: `The zone holds ${describeWindow(zone.from, zone.until)}, ${formatAltitudeBand(zone.altitude)}.` }) : null);
    }
    if (conflict.operation) {
      const other = (this.view.allOperations ?? []).find((entry) => entry.id === conflict.operation);
      const windows = other ? other.volumes.map((volume) => describeWindow(volume.from, volume.until)).join('; ') : null;
      return h('li', { class: 'conflict', dataset: { conflictOperation: conflict.operation, party: conflict.party } },
        h('strong', { text: `Operation ${conflict.operation}` }), ` of ${conflict.party}: ${conflict.reason}.`,
        windows ? h('span', { class: 'item-sub', text: `It holds ${windows}.` }) : null);
    }
    return h('li', { class: 'conflict', dataset: { party: conflict.party } }, `${conflict.party}: ${conflict.reason}.`);
  }

  // MARK: the list

  buildItem(operation) {
    const { disabled } = this.view;
    const pending = this.pending.has(operation.id);
    const title = operation.name || operation.id;
    const item = h('li', { class: `operation-item state-${operation.state}`, tabindex: '-1', dataset: { operationId: operation.id, state: operation.state } });
    item.append(h('div', { class: 'operation-head' },
      h('h4', { class: 'operation-title', text: title }),
      h('span', { class: `badge op-state op-${operation.state}`, text: operation.state })));
    item.append(h('p', { class: 'muted operation-meta', text: `Operation ${operation.id} · priority ${operation.priority}${operation.units?.length ? ` · units ${operation.units.join(', ')}` : ''}` }));
    item.append(h('ul', { class: 'operation-volumes' }, operation.volumes.map((volume) => h('li', { text: describeVolume(volume) }))));
    const notice = h('p', { class: 'operation-notice', dataset: { noticeGiven: operation.noticeGivenAt ?? '' } });
    if (operation.noticeGivenAt) notice.append('Notice given at ', timeElement(operation.noticeGivenAt, { full: true }), '.');
    else notice.append(h('span', { class: 'warn-text', text: 'No notice given yet.' }));
    if (['planned', 'active'].includes(operation.state)) {
      const verdict = noticeVerdict(this.view.agreements, this.view.viewer, startOf(operation.volumes), this.actions.now());
      if (!operation.noticeGivenAt) notice.append(' ', verdict.text);
    }
    item.append(notice);

    const notices = this.noticesOf(operation);
    if (notices.length) {
      item.append(h('ul', { class: 'operation-notices', 'aria-label': `Notices of ${title}` }, notices.map((message) => this.noticeItem(message))));
    }

    const buttons = h('div', { class: 'operation-actions' });
    const off = Boolean(disabled) || pending;
    if (['planned', 'active'].includes(operation.state)) {
      buttons.append(h('button', {
        type: 'button', class: 'small primary', 'data-action': 'notify', dataset: { focusKey: 'notify' }, disabled: off, title: disabled ?? undefined,
        'aria-label': `Give notice of ${title} to the parties owed it`, text: operation.noticeGivenAt ? 'Notify again' : 'Notify',
        onclick: () => this.notify(operation),
      }));
    }
    for (const [state, text] of NEXT_STATES[operation.state] ?? []) {
      buttons.append(h('button', {
        type: 'button', class: `small${state === 'cancelled' ? ' danger' : ''}`, 'data-action': `state-${state}`, dataset: { focusKey: `state-${state}` },
        disabled: off, title: disabled ?? undefined, 'aria-label': `${text}: ${title}`, text,
        onclick: () => this.setState(operation, state),
      }));
    }
    buttons.append(h('button', {
      type: 'button', class: 'small', 'data-action': 'edit', dataset: { focusKey: 'edit' }, disabled: Boolean(disabled), title: disabled ?? undefined,
      'aria-label': `Edit ${title} in the form`, text: 'Edit', onclick: () => this.edit(operation),
    }));
    item.append(buttons);
    const error = this.errors.get(operation.id);
    if (error) item.append(h('p', { class: 'item-error', role: 'alert', text: error }));
    return item;
  }

  /** One notice message: when it was sent, and each recipient's receipt. */
  noticeItem(message) {
    const receipts = message.receipts ?? {};
    const recipients = message.to ?? Object.keys(receipts);
    return h('li', { class: 'operation-notice-message', dataset: { messageId: message.id } },
      h('a', {
        href: '#messages-section', class: 'message-link', 'aria-label': `Show notice ${message.id} on the message line`,
        onclick: (event) => {
          event.preventDefault();
          showMessage(message.id);
        },
      }, message.id),
      ' sent ', timeElement(message.sentAt), ': ',
      recipients.map((party, index) => {
        const receipt = receipts[party] ?? {};
        const state = receipt.acknowledgedAt ? 'acknowledged' : receipt.deliveredAt ? 'received' : 'not yet received';
        return h('span', { class: `notice-receipt receipt-${state.replace(/ /g, '-')}`, dataset: { recipient: party, receipt: state } },
          index ? '; ' : '', `${party} ${state}`,
          receipt.acknowledgedAt ? [' ', timeElement(receipt.acknowledgedAt)] : receipt.deliveredAt ? [' ', timeElement(receipt.deliveredAt)] : null);
      }), recipients.length ? '.' : 'no recipient.');
  }

  async run(operation, action, done) {
    this.pending.add(operation.id);
    this.errors.delete(operation.id);
    this.render(this.lastView());
    try {
      await action();
      this.actions.announce(done);
    } catch (error) {
      this.errors.set(operation.id, error.describe ? error.describe() : String(error));
    } finally {
      this.pending.delete(operation.id);
      this.render(this.lastView());
    }
  }

  /** The last view given to `render`, to render again after an action. */
  lastView() {
    const { viewer, messages, disabled, agreements, zones, allOperations, units } = this.view;
    return { viewer, messages, disabled, situation: { operations: allOperations, agreements, zones, units } };
  }

  notify(operation) {
    return this.run(operation, () => this.actions.notify(operation), `Notice of ${operation.id} given.`);
  }

  setState(operation, state) {
    return this.run(operation, () => this.actions.setState(operation, state), `Operation ${operation.id} is now ${state}.`);
  }

  /** Loads an operation into the form, to change it and file it again. */
  edit(operation) {
    clearErrors(this.form);
    this.error.hidden = true;
    this.result.hidden = true;
    this.id.value = operation.id;
    this.name.value = operation.name ?? '';
    this.priority.value = String(operation.priority ?? 0);
    for (const input of this.units.querySelectorAll('input')) input.checked = (operation.units ?? []).includes(input.value);
    while (this.volumes.length < operation.volumes.length) this.appendVolume(false);
    while (this.volumes.length > operation.volumes.length) this.removeVolume(this.volumes[this.volumes.length - 1]);
    operation.volumes.forEach((volume, index) => {
      const input = this.volumes[index];
      if (volume.circle) {
        input.circleChoice.checked = true;
        input.lat.value = String(volume.circle.center[0]);
        input.lon.value = String(volume.circle.center[1]);
        input.radius.value = String(volume.circle.radius / 1000);
      } else if (volume.polygon) {
        input.polygonChoice.checked = true;
        input.vertices.value = volume.polygon[0].map(([lat, lon]) => `${lat}, ${lon}`).join('\n');
      }
      input.showShape();
      input.lower.value = volume.altitude ? String(volume.altitude[0]) : '';
      input.upper.value = volume.altitude ? String(volume.altitude[1]) : '';
      input.from.value = volume.from ? typedTime(ms(volume.from)) : '';
      input.until.value = volume.until ? typedTime(ms(volume.until)) : '';
    });
    this.details.open = true;
    this.id.focus();
    this.form.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }
}

/** Scrolls the message line to a message and focuses it. */
function showMessage(id) {
  const element = document.querySelector(`#messages [data-message-id="${CSS.escape(id)}"]`);
  if (!element) {
    document.getElementById('messages-section')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    return;
  }
  element.scrollIntoView({ block: 'center', behavior: 'smooth' });
  element.focus({ preventScroll: true });
}
