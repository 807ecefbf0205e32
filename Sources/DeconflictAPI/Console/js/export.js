// Exports for the record and for other tools: the alerts with every addressee's
// acknowledgement as CSV, the zones and the units' tracks as KML 2.2 (Google Earth, ATAK)
// and GeoJSON, and a printable incident summary. Each file is named after the party and
// the instant it describes; in replay that instant is the replayed one, and the file says so.

import { h, formatDateTime, isoTime, ms } from './util.js';
import { volumeRings } from './map.js';
import { routingOf } from './alerts.js';

const KML_NS = 'http://www.opengis.net/kml/2.2';

/** KML colours are aabbggrr; the zone kinds' colours of the map. */
const KML_ZONE_COLORS = {
  'deconfliction-zone': '24a5f5',
  'protected-site': '99d334',
  'no-fly-area': '7171f8',
  corridor: 'f8bd38',
};

/** `20170606T064512Z`: an instant for a file name. */
function stamp(time) {
  return isoTime(time).replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** A name safe in a file name. */
function safe(text) {
  return String(text).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'party';
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function csvField(value) {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Offers `text` as a file download. */
function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The alert rows: one per alert and addressee. The API says when an alert was resolved
 * and why (`resolution`), not by whom: the file has no column it would leave empty.
 */
export function alertsCSV(alerts, { unitLabel = (id) => id, zoneLabel = (id) => id } = {}) {
  const header = ['alert_id', 'kind', 'state', 'raised_at', 'zone_id', 'zone', 'units', 'party', 'answers_for', 'confirmed',
    'acknowledgement_required', 'acknowledged_at', 'escalated_at', 'resolved_at', 'resolution'];
  const lines = [header.join(',')];
  const sorted = [...alerts].sort((a, b) => ms(a.raisedAt) - ms(b.raisedAt) || String(a.id).localeCompare(String(b.id)));
  for (const alert of sorted) {
    for (const entry of routingOf(alert)) {
      lines.push([
        alert.id, alert.kind, alert.state, alert.raisedAt, alert.zone ?? '', alert.zone ? zoneLabel(alert.zone) : '',
        (alert.units ?? []).map(unitLabel).join('; '), entry.party, entry.answersFor ?? '', entry.confirmed === false ? 'false' : 'true',
        entry.mustAcknowledge === false ? 'false' : 'true', entry.acknowledgedAt ?? '', entry.escalatedAt ?? '', alert.resolvedAt ?? '', alert.resolution ?? '',
      ].map(csvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The tracks of the units the party may locate: [{unit, points: [[lat, lon, ms], …]}]. */
function tracksOf(situation, trails) {
  const tracks = [];
  for (const unit of situation.units ?? []) {
    if (unit.reference || !unit.lastReport) continue;
    let points = trails?.get(unit.id);
    if (!points) {
      points = (unit.track ?? []).filter((point) => Array.isArray(point) && point.length >= 3).map(([lat, lon, time]) => [lat, lon, ms(time)]);
      const last = ms(unit.lastReport.time);
      if (!points.length || points[points.length - 1][2] < last) points.push([...unit.lastReport.position, last]);
    }
    tracks.push({ unit, points });
  }
  return tracks;
}

function xmlEscape(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

/** A closed ring as KML coordinates, `lon,lat,alt` each. */
function kmlRing(ring, altitude = 0) {
  const points = ring.map(([lat, lon]) => `${lon.toFixed(6)},${lat.toFixed(6)},${altitude}`);
  if (points.length && points[0] !== points[points.length - 1]) points.push(points[0]);
  return points.join(' ');
}

/** KML 2.2: every zone as a polygon (a circle drawn as one), each unit's track and last position. */
export function zonesAndTracksKML({ situation, trails, viewer, instant, replay, partyColor = () => 'ffffffff' }) {
  const out = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<kml xmlns="${KML_NS}">`);
  out.push('<Document>');
  out.push(`<name>${xmlEscape(`Deconflict — ${viewer} — ${formatDateTime(instant)}${replay ? ' (replay)' : ''}`)}</name>`);
  out.push(`<description>${xmlEscape(`Zones and unit tracks as ${viewer} may see them ${replay ? 'in the replay of' : 'at'} ${isoTime(instant)}.`)}</description>`);
  for (const [kind, color] of Object.entries(KML_ZONE_COLORS)) {
    out.push(`<Style id="zone-${kind}"><LineStyle><color>ff${color}</color><width>2</width></LineStyle><PolyStyle><color>40${color}</color></PolyStyle></Style>`);
  }
  out.push('<Style id="zone-other"><LineStyle><color>ffcccccc</color><width>2</width></LineStyle><PolyStyle><color>40cccccc</color></PolyStyle></Style>');
  const parties = [...new Set((situation.units ?? []).map((unit) => unit.party))];
  for (const party of parties) {
    const color = partyColor(party);
    out.push(`<Style id="party-${xmlEscape(safe(party))}"><LineStyle><color>${color}</color><width>3</width></LineStyle><IconStyle><color>${color}</color></IconStyle></Style>`);
  }
  out.push('<Folder><name>Zones</name>');
  for (const zone of situation.zones ?? []) {
    const rings = volumeRings(zone);
    if (!rings.length) continue;
    const style = KML_ZONE_COLORS[zone.kind] ? `zone-${zone.kind}` : 'zone-other';
    const [floor, ceiling] = Array.isArray(zone.altitude) ? zone.altitude : [0, 0];
    const description = [`${zone.kind} of ${zone.owner}`, zone.agreement ? `agreement ${zone.agreement}` : null,
      `altitude ${floor}–${ceiling} m`, zone.circle ? `circle, radius ${zone.circle.radius} m` : null,
      zone.from ? `from ${zone.from}` : null, zone.until ? `until ${zone.until}` : null].filter(Boolean).join('; ');
    out.push(`<Placemark id="${xmlEscape(safe(`zone-${zone.id}`))}"><name>${xmlEscape(zone.name || zone.id)}</name>`);
    out.push(`<description>${xmlEscape(description)}</description><styleUrl>#${style}</styleUrl>`);
    out.push(`<ExtendedData><Data name="id"><value>${xmlEscape(zone.id)}</value></Data><Data name="owner"><value>${xmlEscape(zone.owner)}</value></Data></ExtendedData>`);
    const polygons = rings.map((ring) => `<Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing><coordinates>${kmlRing(ring)}</coordinates></LinearRing></outerBoundaryIs></Polygon>`);
    out.push(polygons.length === 1 ? polygons[0] : `<MultiGeometry>${polygons.join('')}</MultiGeometry>`);
    out.push('</Placemark>');
  }
  out.push('</Folder>');
  out.push('<Folder><name>Units</name>');
  for (const { unit, points } of tracksOf(situation, trails)) {
    const style = `#party-${xmlEscape(safe(unit.party))}`;
    const name = xmlEscape(unit.name || unit.id);
    const [lat, lon] = unit.lastReport.position;
    out.push(`<Placemark id="${xmlEscape(safe(`unit-${unit.id}`))}"><name>${name}</name><description>${xmlEscape(`${unit.domain} unit of ${unit.party}, last report ${unit.lastReport.time}`)}</description>`);
    out.push(`<TimeStamp><when>${xmlEscape(unit.lastReport.time)}</when></TimeStamp><styleUrl>${style}</styleUrl><Point><coordinates>${lon.toFixed(6)},${lat.toFixed(6)},0</coordinates></Point></Placemark>`);
    if (points.length >= 2) {
      out.push(`<Placemark id="${xmlEscape(safe(`track-${unit.id}`))}"><name>${name} track</name>`);
      out.push(`<TimeSpan><begin>${isoTime(points[0][2])}</begin><end>${isoTime(points[points.length - 1][2])}</end></TimeSpan><styleUrl>${style}</styleUrl>`);
      out.push(`<LineString><tessellate>1</tessellate><coordinates>${points.map(([pLat, pLon]) => `${pLon.toFixed(6)},${pLat.toFixed(6)},0`).join(' ')}</coordinates></LineString></Placemark>`);
    }
  }
  out.push('</Folder>');
  out.push('</Document>');
  out.push('</kml>');
  return `${out.join('\n')}\n`;
}

/** GeoJSON: the zones (the server's features, or drawn from the replayed situation) and each unit's track. */
export function zonesAndTracksGeoJSON({ zoneFeatures, situation, trails, viewer, instant, replay }) {
  const features = zoneFeatures ?? (situation.zones ?? []).map((zone) => ({
    type: 'Feature',
    id: zone.id,
    geometry: { type: 'Polygon', coordinates: volumeRings(zone).map((ring) => closeRing(ring.map(([lat, lon]) => [lon, lat]))) },
    properties: { id: zone.id, name: zone.name, kind: zone.kind, owner: zone.owner, agreement: zone.agreement, altitude: zone.altitude,
      ...(zone.circle ? { center: [zone.circle.center[1], zone.circle.center[0]], radius: zone.circle.radius } : {}),
      from: zone.from, until: zone.until, allowed: zone.allowed, stale: zone.stale },
  }));
  for (const { unit, points } of tracksOf(situation, trails)) {
    if (points.length < 2) continue;
    features.push({
      type: 'Feature',
      id: `track:${unit.id}`,
      geometry: { type: 'LineString', coordinates: points.map(([lat, lon]) => [lon, lat]) },
      properties: { unit: unit.id, name: unit.name ?? unit.id, party: unit.party, domain: unit.domain, times: points.map((point) => isoTime(point[2])) },
    });
  }
  return `${JSON.stringify({
    type: 'FeatureCollection',
    features,
    properties: { viewer, time: isoTime(instant), replay },
  }, null, 1)}\n`;
}

function closeRing(ring) {
  const first = ring[0];
  const last = ring[ring.length - 1];
  return first && (first[0] !== last[0] || first[1] !== last[1]) ? [...ring, first] : ring;
}

/** Converts `#rrggbb` to KML's `aabbggrr`. */
function kmlColor(css) {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css ?? '');
  return match ? `ff${match[3]}${match[2]}${match[1]}`.toLowerCase() : 'ffffffff';
}

export class Exporter {
  /**
   * @param {{csv: HTMLButtonElement, kml: HTMLButtonElement, geojson: HTMLButtonElement, print: HTMLButtonElement, note: HTMLElement, status: HTMLElement}} elements
   * @param {() => {api: object, viewer: string, situation: object, replayAt: number | null, messages: object[], trails: Map, unitLabel: Function, zoneLabel: Function, colorOf: Function, describeReference: Function, mapSvg: SVGSVGElement}} context
   */
  constructor(elements, context) {
    this.elements = elements;
    this.context = context;
    elements.csv.addEventListener('click', () => this.run('CSV', () => this.exportCSV()));
    elements.kml.addEventListener('click', () => this.run('KML', () => this.exportKML()));
    elements.geojson.addEventListener('click', () => this.run('GeoJSON', () => this.exportGeoJSON()));
    elements.print.addEventListener('click', () => this.printSummary());
  }

  /** Says what the exports describe: now, or the replayed instant. */
  render() {
    const { situation, replayAt, viewer } = this.context();
    const ready = Boolean(situation && viewer);
    for (const name of ['csv', 'kml', 'geojson', 'print']) this.elements[name].disabled = !ready;
    this.elements.note.textContent = !ready ? '' : replayAt !== null
      ? `Replay: the exports describe the situation as recorded at ${formatDateTime(replayAt)}, not now.`
      : 'The exports describe the live situation, as your party may see it.';
    this.elements.note.classList.toggle('is-replay', replayAt !== null);
  }

  /** The instant described and the file name's tail: `party-20170606T064512Z[-replay]`. */
  describe() {
    const context = this.context();
    const replay = context.replayAt !== null;
    const instant = replay ? context.replayAt : ms(context.situation.time);
    return { ...context, replay, instant, tail: `${safe(context.viewer)}-${stamp(instant)}${replay ? '-replay' : ''}` };
  }

  async run(what, action) {
    const { status } = this.elements;
    status.classList.remove('is-error');
    status.textContent = `Preparing the ${what} file…`;
    try {
      const name = await action();
      status.textContent = `Downloaded ${name}.`;
    } catch (error) {
      status.classList.add('is-error');
      status.textContent = `Could not export ${what}: ${error?.describe ? error.describe() : error?.message ?? error}`;
    }
  }

  async exportCSV() {
    const context = this.describe();
    // Live, the server's list (resolved alerts too); in replay, the alerts of that instant.
    const alerts = context.replay ? context.situation.alerts ?? [] : (await context.api.request('GET', '/v1/alerts?state=all')).alerts ?? [];
    const name = `deconflict-alerts-${context.tail}.csv`;
    download(name, 'text/csv;charset=utf-8', alertsCSV(alerts, context));
    return name;
  }

  async exportKML() {
    const context = this.describe();
    const name = `deconflict-zones-tracks-${context.tail}.kml`;
    download(name, 'application/vnd.google-earth.kml+xml', zonesAndTracksKML({
      ...context, trails: context.replay ? null : context.trails, partyColor: (party) => kmlColor(context.colorOf(party)),
    }));
    return name;
  }

  async exportGeoJSON() {
    const context = this.describe();
    let zoneFeatures = null;
    if (!context.replay) {
      // The server's own features: circles with their exact centre and radius.
      const response = await fetch('/v1/zones?format=geojson', {
        headers: { Accept: 'application/geo+json, application/json', Authorization: `Bearer ${context.api.key}` }, cache: 'no-store',
      });
      if (!response.ok) throw new Error(`GET /v1/zones?format=geojson: ${response.status} ${response.statusText}`);
      zoneFeatures = (await response.json()).features ?? [];
    }
    const name = `deconflict-zones-tracks-${context.tail}.geojson`;
    download(name, 'application/geo+json', zonesAndTracksGeoJSON({ ...context, zoneFeatures, trails: context.replay ? null : context.trails }));
    return name;
  }

  /** The last ledger entry the party may see: its sequence, time and hash (null when none can be read). */
  async ledgerHead(api, sequence) {
    try {
      const after = Number.isInteger(sequence) ? Math.max(0, sequence - 200) : 0;
      const response = await fetch(`/v1/ledger?after=${after}&limit=100000`, {
        headers: { Accept: 'application/x-ndjson', Authorization: `Bearer ${api.key}` }, cache: 'no-store',
      });
      if (!response.ok) return null;
      const lines = (await response.text()).trim().split('\n').filter(Boolean);
      if (!lines.length) return null;
      const last = JSON.parse(lines[lines.length - 1]);
      return { sequence: last.sequence, time: last.time, hash: last.hash };
    } catch {
      return null;
    }
  }

  /** The ledger's head as the service signed it (GET /v1/ledger/head), or null. */
  async signedHead(api) {
    try {
      const response = await fetch('/v1/ledger/head', { headers: { Authorization: `Bearer ${api.key}` }, cache: 'no-store' });
      return response.ok ? await response.json() : null;
    } catch {
      return null;
    }
  }

  /** Opens the printable incident summary in a new window. */
  printSummary() {
    const context = this.describe();
    // Opened at once, in the click, so that no pop-up blocker stops it; filled after.
    const view = window.open('', '_blank');
    if (!view) {
      this.elements.status.textContent = 'The summary window was blocked: allow pop-ups for this page.';
      return;
    }
    this.fillSummary(view, context).catch((error) => {
      view.document.body.textContent = `The summary could not be prepared: ${error?.message ?? error}`;
    });
  }

  async fillSummary(view, context) {
    const { situation, viewer, replay, instant, api, unitLabel, zoneLabel, messages, describeReference } = context;
    const doc = view.document;
    doc.title = `Incident summary — ${viewer} — ${formatDateTime(instant)}${replay ? ' (replay)' : ''}`;
    const make = (tag, attributes = {}, ...children) => {
      const element = doc.createElement(tag);
      for (const [key, value] of Object.entries(attributes)) {
        if (key === 'text') element.textContent = value;
        else element.setAttribute(key, value);
      }
      for (const child of children.flat()) if (child !== null && child !== undefined) element.append(child);
      return element;
    };
    const style = make('style', { text: SUMMARY_CSS });
    doc.head.append(make('meta', { charset: 'utf-8' }), style);
    const body = doc.body;
    body.replaceChildren();
    body.append(make('div', { class: 'no-print' }, make('button', { type: 'button', id: 'print-now', text: 'Print' })));
    body.querySelector('#print-now').addEventListener('click', () => view.print());
    body.append(make('h1', { text: 'Deconflict — incident summary' }));
    body.append(make('p', { class: 'lead' },
      `Party ${viewer}. Situation ${replay ? 'as recorded at' : 'at'} `, make('strong', { text: formatDateTime(instant) }),
      replay ? make('strong', { class: 'replay', text: ' — REPLAY of a past instant, not the present' }) : ' (live)',
      `. Prepared ${formatDateTime(Date.now())} (this computer’s clock).`));

    // The map as drawn, its colours written into the copy.
    if (context.mapSvg) {
      body.append(make('h2', { text: 'Map' }), make('figure', {}, snapshot(context.mapSvg, doc),
        make('figcaption', { text: `The console’s map at ${formatDateTime(instant)}${replay ? ' (replay)' : ''}.` })));
    }

    const alerts = [...(situation.alerts ?? [])].sort((a, b) => ms(a.raisedAt) - ms(b.raisedAt));
    body.append(make('h2', { text: `Alerts (${alerts.length})` }));
    if (!alerts.length) body.append(make('p', { text: 'No alert addressed to the party.' }));
    const alertIds = new Set(alerts.map((alert) => alert.id));
    const alertZones = new Set(alerts.map((alert) => alert.zone).filter(Boolean));
    for (const alert of alerts) {
      const section = make('section', { class: 'alert', 'data-alert-id': alert.id });
      const subject = [alert.units?.length ? alert.units.map(unitLabel).join(', ') : null, alert.zone ? `zone ${zoneLabel(alert.zone)}` : null,
        alert.operation ? `operation ${alert.operation}` : null].filter(Boolean).join(' · ');
      section.append(make('h3', { text: `${alert.kind} — ${subject || 'no unit or zone'} (${alert.id}, ${alert.state})` }));
      const events = [[ms(alert.raisedAt), `Raised; addressed to ${(alert.addressees ?? []).join(', ')}`]];
      for (const entry of routingOf(alert)) {
        if (entry.acknowledgedAt) events.push([ms(entry.acknowledgedAt), `Acknowledged by ${entry.party}${entry.answersFor ? ` (answering for ${entry.answersFor})` : ''}`]);
        if (entry.escalatedAt) events.push([ms(entry.escalatedAt), `Escalated: ${entry.party} had not acknowledged`]);
      }
      if (alert.state === 'resolved') events.push([ms(alert.resolvedAt) || Infinity, `Resolved${alert.resolution ? `: ${alert.resolution}` : ''}`]);
      const waiting = routingOf(alert).filter((entry) => !entry.acknowledgedAt).map((entry) => entry.party);
      const list = make('ol', { class: 'events' });
      for (const [time, text] of events.sort((a, b) => a[0] - b[0])) {
        list.append(make('li', {}, make('time', { text: Number.isFinite(time) ? formatDateTime(time) : '—' }), ` ${text}`));
      }
      section.append(list);
      if (alert.state !== 'resolved' && waiting.length) section.append(make('p', { class: 'waiting', text: `Not acknowledged by: ${waiting.join(', ')}` }));
      body.append(section);
    }

    // The messages about those alerts or their zones, with their receipts.
    const about = (messages ?? []).filter((message) => (!replay || ms(message.sentAt) <= instant) && (message.references ?? []).some((reference) =>
      alertIds.has(reference.alert) || alertZones.has(reference.zone)));
    body.append(make('h2', { text: `Messages about them (${about.length})` }));
    if (!about.length) body.append(make('p', { text: 'No message refers to these alerts or their zones.' }));
    for (const message of about.sort((a, b) => ms(a.sentAt) - ms(b.sentAt))) {
      const section = make('section', { class: 'message' });
      section.append(make('h3', { text: `${message.kind} ${message.id} from ${message.from} to ${(message.to ?? []).join(', ')}, ${formatDateTime(message.sentAt)}` }));
      section.append(make('p', { class: 'text', text: message.text }));
      section.append(make('p', { class: 'refs', text: `About ${(message.references ?? []).map(describeReference).join('; ')}.${message.requiresAcknowledgement ? ` Acknowledgement required${message.deadline ? ` by ${formatDateTime(message.deadline)}` : ''}.` : ''}` }));
      const table = make('table', {}, make('thead', {}, make('tr', {}, ['Recipient', 'Delivered', 'Acknowledged', 'Escalated'].map((title) => make('th', { text: title })))));
      const rows = make('tbody');
      const seen = (time) => (time && (!replay || ms(time) <= instant) ? formatDateTime(time) : '—');
      for (const party of message.to ?? []) {
        const receipt = message.receipts?.[party] ?? {};
        rows.append(make('tr', {}, make('td', { text: party }), make('td', { text: seen(receipt.deliveredAt) }),
          make('td', { text: seen(receipt.acknowledgedAt) }), make('td', { text: seen(receipt.escalatedAt) })));
      }
      table.append(rows);
      section.append(table);
      body.append(section);
    }
    body.append(make('p', { class: 'note', text: 'A receipt records delivery or acknowledgement. It never means consent.' }));

    body.append(make('h2', { text: 'Ledger' }));
    const ledger = make('p', { text: 'Reading the ledger head…' });
    body.append(ledger);
    const head = await this.ledgerHead(api, this.context().situation?.sequence);
    ledger.textContent = head
      ? `Latest ledger entry your party may read: #${head.sequence} at ${formatDateTime(head.time)}, hash ${head.hash}${replay ? ' (now, after the replayed instant)' : ''}.`
      : 'The ledger head could not be read.';
    const signed = await this.signedHead(api);
    body.append(make('p', {
      class: 'signed-head',
      text: signed
        ? `Signed ledger head: ${signed.size} entries, Merkle root ${signed.root}, last entry hash ${signed.head}, signed ${formatDateTime(signed.time)} with Ed25519 key ${signed.key}; signature ${signed.signature}. Check it, and that later heads extend it, with deconflict witness (docs/ledger.md).`
        : 'The signed ledger head could not be read.',
    }));
  }
}

/** A copy of the map's SVG with the styles the console's stylesheet gave it written in. */
function snapshot(svg, doc) {
  const copy = svg.cloneNode(true);
  const width = svg.clientWidth || svg.getBoundingClientRect().width || 800;
  const height = svg.clientHeight || svg.getBoundingClientRect().height || 600;
  copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('class', 'map-snapshot');
  copy.removeAttribute('role');
  copy.setAttribute('role', 'img');
  copy.setAttribute('aria-label', 'Map snapshot');
  const properties = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linejoin',
    'stroke-linecap', 'opacity', 'font-size', 'font-weight', 'font-family', 'paint-order', 'display', 'visibility'];
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((original, index) => {
    const target = copies[index];
    if (!target) return;
    const computed = getComputedStyle(original);
    target.setAttribute('style', properties.map((name) => `${name}:${computed.getPropertyValue(name)}`).join(';'));
  });
  const background = doc.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', getComputedStyle(svg.parentElement ?? svg).backgroundColor || '#0a1727');
  copy.prepend(background);
  return doc.importNode(copy, true);
}

const SUMMARY_CSS = `
body { font: 11pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; color: #111; background: #fff; margin: 16px 24px; }
h1 { font-size: 18pt; margin: 0 0 4px; }
h2 { font-size: 13pt; border-bottom: 1px solid #999; margin: 18px 0 6px; }
h3 { font-size: 11pt; margin: 10px 0 2px; }
.lead .replay { color: #92400e; }
.map-snapshot { max-width: 100%; height: auto; border: 1px solid #999; }
figure { margin: 0; }
figcaption { font-size: 9pt; color: #444; }
section { break-inside: avoid; }
.events { margin: 2px 0; padding-left: 20px; }
.events time { font-variant-numeric: tabular-nums; font-weight: 600; }
.waiting { color: #991b1b; font-weight: 600; }
table { border-collapse: collapse; font-size: 10pt; }
th, td { text-align: left; border: 1px solid #bbb; padding: 2px 8px; }
.text { white-space: pre-wrap; }
.note { color: #444; font-style: italic; }
.no-print { margin-bottom: 8px; }
.no-print button { font: inherit; padding: 4px 14px; }
@media print { .no-print { display: none; } body { margin: 0; } }
`;
