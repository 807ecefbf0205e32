// Small DOM and formatting helpers shared by the console's modules.

/**
 * Creates an element. `attributes` may hold `class`, `text`, `dataset` (an object),
 * event handlers as `on<event>`, booleans (set when true) and plain attributes.
 * Children are nodes or strings (added as text, never parsed as HTML).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  applyAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element, with the same conventions as `h`. */
export function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  applyAttributes(element, attributes);
  append(element, children);
  return element;
}

function applyAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') element.textContent = String(value);
    else if (name === 'dataset') {
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined && item !== null) element.dataset[key] = String(item);
      }
    } else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Whether the viewer is the operator (who sees everything and acts for no party): the
 * server names it `@operator`, which no party id can be.
 */
export function isOperator(viewer) {
  return typeof viewer === 'string' && viewer.startsWith('@');
}

/** Removes every child of `element`. */
export function clear(element) {
  while (element.firstChild) element.firstChild.remove();
}

/** Parses an RFC 3339 time to milliseconds since the epoch (NaN when absent or bad). */
export function ms(time) {
  if (!time) return NaN;
  return Date.parse(time);
}

const pad = (value) => String(value).padStart(2, '0');

/** `06:45:12Z` */
export function formatClock(time) {
  const date = new Date(typeof time === 'number' ? time : ms(time));
  if (Number.isNaN(date.getTime())) return '—';
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`;
}

/** `2017-06-06 06:45:12Z` */
export function formatDateTime(time) {
  const date = new Date(typeof time === 'number' ? time : ms(time));
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${formatClock(date.getTime())}`;
}

/** An ISO instant for a `<time datetime>` attribute. */
export function isoTime(time) {
  const value = typeof time === 'number' ? time : ms(time);
  return Number.isNaN(value) ? '' : new Date(value).toISOString();
}

/** A `<time>` element showing the instant as `06:45:12Z`, its full date in a tooltip. */
export function timeElement(time, { full = false } = {}) {
  const value = typeof time === 'number' ? time : ms(time);
  return h('time', {
    datetime: isoTime(value),
    title: formatDateTime(value),
    text: full ? formatDateTime(value) : formatClock(value),
  });
}

/** `1 h 05 min`, `4 min 32 s`, `12 s` for a number of seconds (sign ignored). */
export function formatDuration(seconds) {
  const total = Math.round(Math.abs(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${pad(secs)} s`;
  return `${secs} s`;
}

/** `850 m`, `12.4 km`, `120 km` */
export function formatDistance(meters) {
  const value = Math.abs(meters);
  if (value < 1000) return `${Math.round(value)} m`;
  if (value < 100000) return `${(value / 1000).toFixed(1)} km`;
  return `${Math.round(value / 1000)} km`;
}

/** `0–15,000 m` */
export function formatAltitudeBand(band) {
  if (!Array.isArray(band) || band.length !== 2) return '—';
  const format = (value) => Math.round(value).toLocaleString('en-US');
  return `${format(band[0])}–${format(band[1])} m`;
}

/** `33.5000° N, 38.6500° E` */
export function formatPosition(position) {
  if (!Array.isArray(position)) return '—';
  const [lat, lon] = position;
  return `${Math.abs(lat).toFixed(4)}° ${lat >= 0 ? 'N' : 'S'}, ${Math.abs(lon).toFixed(4)}° ${lon >= 0 ? 'E' : 'W'}`;
}

/**
 * Calls `fn` once calls have paused for `wait` ms, and at least every `maxWait` ms
 * while they keep coming (when given).
 */
export function debounce(fn, wait, maxWait = Infinity) {
  let timer = null;
  let first = null;
  const run = (args) => {
    clearTimeout(timer);
    timer = null;
    first = null;
    fn(...args);
  };
  const debounced = (...args) => {
    const now = Date.now();
    if (first === null) first = now;
    clearTimeout(timer);
    const delay = Math.max(0, Math.min(wait, first + maxWait - now));
    timer = setTimeout(() => run(args), delay);
  };
  debounced.cancel = () => {
    clearTimeout(timer);
    timer = null;
    first = null;
  };
  return debounced;
}

/**
 * Keeps the children of `container` in step with `items` without rebuilding the ones
 * that did not change, so focus and scroll positions survive a refresh. `key(item)`
 * names an item, `signature(item)` changes whenever its element must be rebuilt, and
 * `build(item)` makes the element. When a rebuilt element held the focus, the control
 * with the same `data-focus-key` in the new element receives it.
 */
export function reconcile(container, items, { key, signature, build }) {
  const existing = new Map();
  for (const child of Array.from(container.children)) existing.set(child.dataset.reconcileKey, child);
  const wanted = [];
  for (const item of items) {
    const id = key(item);
    const sig = signature(item);
    let element = existing.get(id);
    if (element && element.dataset.reconcileSignature === sig) {
      existing.delete(id);
    } else {
      const focused = element && element.contains(document.activeElement) ? document.activeElement : null;
      const focusKey = focused?.dataset?.focusKey;
      const fresh = build(item);
      fresh.dataset.reconcileKey = id;
      fresh.dataset.reconcileSignature = sig;
      if (element) {
        element.replaceWith(fresh);
        existing.delete(id);
        if (focused) {
          const same = focusKey ? fresh.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`) : null;
          const other = [...fresh.querySelectorAll('[data-focus-key]')].find((control) => !control.disabled);
          const target = same && !same.disabled ? same : focused === element ? fresh : other ?? fresh;
          target.focus({ preventScroll: true });
        }
      }
      element = fresh;
    }
    wanted.push(element);
  }
  for (const stale of existing.values()) stale.remove();
  // Order: move only the elements out of place (moving a node would drop its focus).
  let cursor = container.firstChild;
  for (const element of wanted) {
    if (element === cursor) {
      cursor = cursor.nextSibling;
    } else {
      container.insertBefore(element, cursor);
    }
  }
}

/** A stable signature of a JSON-like value. */
export function signatureOf(...values) {
  return JSON.stringify(values);
}
