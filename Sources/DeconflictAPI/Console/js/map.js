// The map: an SVG drawing of the basemap, a graticule, the zones, operations, units
// and incidents of one situation, in the Web Mercator projection, with pan and zoom
// by pointer, wheel, touch and keyboard.

import { h, s, clear, formatAltitudeBand, formatDistance, formatPosition, formatDateTime, ms } from './util.js';
import { toWorld, fromWorld, circleRing, densifyRing, unwrapRing, normalizeLongitude, EARTH_RADIUS, MAX_LATITUDE } from './geo.js';
import { drawRegion, affiliationOf, unitSymbol, AFFILIATIONS } from './picture.js';

const TILE = 256;
const MIN_ZOOM = 1;
const MAX_ZOOM = 18;
const DEFAULT_CENTER = [33.5, 38.65];
const DEFAULT_ZOOM = 8;

export const ZONE_KINDS = {
  'deconfliction-zone': 'deconfliction zone',
  'protected-site': 'protected site',
  'no-fly-area': 'no-fly area',
  corridor: 'corridor',
};

/** What to call a zone's kind, and whether it comes from the F3548 DSS interface. */
export function zoneKindLabel(zone) {
  const kind = ZONE_KINDS[zone.kind] ?? zone.kind;
  return isConstraint(zone) ? `F3548 constraint (${kind})` : kind;
}

export const isConstraint = (zone) => typeof zone.id === 'string' && zone.id.startsWith('constraint:');
export const isIntent = (operation) => typeof operation.id === 'string' && operation.id.startsWith('intent:');

/** A zone's status at `now` (ms): `stale`, `not yet active`, `expired` or `active`. */
export function zoneStatus(zone, now) {
  if (zone.stale) return 'stale';
  if (zone.from && ms(zone.from) > now) return 'not yet active';
  if (zone.until && ms(zone.until) <= now) return 'expired';
  return 'active';
}

/** The rings ([[lat, lon], …] each) of a circle or polygon volume, edges as on the Earth. */
export function volumeRings(volume) {
  if (volume.circle && Array.isArray(volume.circle.center)) {
    return [circleRing(volume.circle.center, volume.circle.radius)];
  }
  if (Array.isArray(volume.polygon)) {
    return volume.polygon.filter((ring) => Array.isArray(ring) && ring.length >= 3).map((ring) => densifyRing(ring));
  }
  return [];
}

export class MapView {
  /**
   * @param {HTMLElement} container `#map`
   * @param {{onSelect?: (selection: {type: string, id: string} | null) => void}} options
   */
  constructor(container, { onSelect } = {}) {
    this.container = container;
    this.onSelect = onSelect;
    this.width = container.clientWidth || 800;
    this.height = container.clientHeight || 600;
    const [x, y] = toWorld(...DEFAULT_CENTER);
    this.cx = x;
    this.cy = y;
    this.zoom = DEFAULT_ZOOM;
    this.basemap = [];
    this.data = null;
    this.selection = null;
    this.highlight = { units: new Set(), zones: new Set() };
    this.fitted = false;
    this.userMoved = false; // until the user pans or zooms, the view follows the container's size
    this.renderQueued = false;

    this.svg = s('svg', {
      class: 'map-svg',
      role: 'img',
      'aria-label': 'Map of zones, units and operations',
      xmlns: 'http://www.w3.org/2000/svg',
    });
    this.layers = {};
    for (const name of ['basemap', 'graticule', 'places', 'zones', 'operations', 'units', 'incidents', 'graticuleLabels']) {
      this.layers[name] = s('g', { class: `layer layer-${name}` });
      this.svg.append(this.layers[name]);
    }
    container.prepend(this.svg);
    this.scaleBar = container.querySelector('#scale-bar');
    this.info = container.querySelector('#map-info');

    this.bindInteraction();
    new ResizeObserver(() => this.resize()).observe(container);
  }

  // MARK: view

  get scale() {
    return TILE * 2 ** this.zoom;
  }

  /** The screen position of a latitude and longitude. */
  project(lat, lon) {
    const [x, y] = toWorld(lat, lon);
    return [(x - this.cx) * this.scale + this.width / 2, (y - this.cy) * this.scale + this.height / 2];
  }

  /** The latitude and longitude at a screen position. */
  unproject(px, py) {
    return fromWorld(this.cx + (px - this.width / 2) / this.scale, this.cy + (py - this.height / 2) / this.scale);
  }

  get centerLongitude() {
    return this.cx * 360 - 180;
  }

  resize() {
    const width = this.container.clientWidth;
    const height = this.container.clientHeight;
    if (width === this.width && height === this.height) return;
    this.width = width || this.width;
    this.height = height || this.height;
    if (!this.userMoved && this.data) this.fit();
    this.requestRender();
  }

  setZoom(zoom, anchor) {
    const next = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom));
    if (anchor) {
      // Keep the point under `anchor` where it is.
      const wx = this.cx + (anchor[0] - this.width / 2) / this.scale;
      const wy = this.cy + (anchor[1] - this.height / 2) / this.scale;
      this.zoom = next;
      this.cx = wx - (anchor[0] - this.width / 2) / this.scale;
      this.cy = wy - (anchor[1] - this.height / 2) / this.scale;
    } else {
      this.zoom = next;
    }
    this.clampCenter();
    this.requestRender();
  }

  zoomBy(delta, anchor) {
    this.setZoom(this.zoom + delta, anchor);
  }

  panBy(dx, dy) {
    this.cx -= dx / this.scale;
    this.cy -= dy / this.scale;
    this.clampCenter();
    this.requestRender();
  }

  clampCenter() {
    this.cy = Math.max(0, Math.min(1, this.cy));
    // Longitude wraps around.
    this.cx = ((this.cx % 1) + 1) % 1;
  }

  centerOn(lat, lon, minimumZoom) {
    const [x, y] = toWorld(lat, lon);
    this.cx = x;
    this.cy = y;
    if (minimumZoom !== undefined && this.zoom < minimumZoom) this.zoom = minimumZoom;
    this.clampCenter();
    this.requestRender();
  }

  /** Fits the view to the area of interest or everything drawn (see `extentPoints`), or to points given. */
  fit(points) {
    const all = points ?? this.extentPoints();
    if (all.length === 0) {
      const [x, y] = toWorld(...DEFAULT_CENTER);
      this.cx = x;
      this.cy = y;
      this.zoom = DEFAULT_ZOOM;
      this.requestRender();
      return;
    }
    const near = all[0][1];
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const [lat, lon] of all) {
      let longitude = lon;
      while (longitude - near > 180) longitude -= 360;
      while (longitude - near < -180) longitude += 360;
      const [x, y] = toWorld(lat, longitude);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const padding = 48;
    const spanX = Math.max(maxX - minX, 1e-7);
    const spanY = Math.max(maxY - minY, 1e-7);
    const zoomX = Math.log2(Math.max(this.width - 2 * padding, 50) / (spanX * TILE));
    const zoomY = Math.log2(Math.max(this.height - 2 * padding, 50) / (spanY * TILE));
    this.zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, 13, zoomX, zoomY));
    this.cx = (minX + maxX) / 2;
    this.cy = (minY + maxY) / 2;
    this.clampCenter();
    this.fitted = true;
    this.requestRender();
  }

  /**
   * The points Fit shows. `fitMode` 'everything': all that is drawn. Otherwise (the
   * default) the viewer's area of interest: the zones it owns, of the agreements it
   * signed or of its open alerts, its operations, the units it may locate and the
   * incidents, less any far
   * from the rest (a zone on another continent would otherwise shrink the view to the
   * whole Earth); everything drawn when nothing is of interest.
   */
  extentPoints(mode = this.fitMode ?? 'interest') {
    if (!this.data) return [];
    const { situation, context } = this.data;
    const viewer = context?.viewer;
    const everything = mode === 'everything' || typeof viewer !== 'string' || viewer.startsWith('@');
    const signed = new Set((situation.agreements ?? [])
      .filter((agreement) => { const status = agreement.signatories?.[viewer]; return status && status !== 'withdrawn'; })
      .map((agreement) => agreement.id));
    const features = []; // [points, of interest]
    const alerted = new Set(context?.alertedZones ?? []);
    for (const feature of this.data.zones) {
      features.push([feature.rings.flat(), feature.zone.owner === viewer || signed.has(feature.zone.agreement) || alerted.has(feature.zone.id)]);
    }
    for (const feature of this.data.operations) features.push([feature.rings.flat(), feature.operation.party === viewer]);
    for (const unit of this.data.units) features.push([[unit.position, ...unit.track], true]);
    for (const incident of this.data.incidents) features.push([[incident.position], true]);
    const drawn = features.filter(([points]) => points.length > 0);
    if (everything) return drawn.flatMap(([points]) => points);
    const chosen = drawn.filter(([, interest]) => interest);
    if (chosen.length === 0) return drawn.flatMap(([points]) => points);
    // Each feature's middle; the median of those; a feature much farther from it than the
    // others (five times the median distance, and over 500 km) is left out.
    const middles = chosen.map(([points]) => {
      const lats = points.map((point) => point[0]);
      const near = points[0][1];
      const lons = points.map((point) => near + ((((point[1] - near) % 360) + 540) % 360) - 180);
      return [(Math.min(...lats) + Math.max(...lats)) / 2, (Math.min(...lons) + Math.max(...lons)) / 2];
    });
    const median = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    };
    const centerLat = median(middles.map((point) => point[0]));
    const centerLon = median(middles.map((point) => point[1]));
    const distances = middles.map(([lat, lon]) => {
      const dLon = ((((lon - centerLon) % 360) + 540) % 360) - 180;
      const x = dLon * Math.cos(((lat + centerLat) / 2) * (Math.PI / 180));
      return Math.hypot(x, lat - centerLat) * (Math.PI / 180) * EARTH_RADIUS;
    });
    const limit = Math.max(500_000, 5 * median(distances));
    return chosen.filter((_, index) => distances[index] <= limit).flatMap(([points]) => points);
  }

  // MARK: data

  setBasemap(geojson) {
    const polygons = [];
    for (const feature of geojson.features ?? []) {
      const geometry = feature.geometry;
      if (!geometry) continue;
      const list = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
      for (const polygon of list) {
        for (const ring of polygon) {
          const world = new Float64Array(ring.length * 2);
          let minX = Infinity;
          let minY = Infinity;
          let maxX = -Infinity;
          let maxY = -Infinity;
          ring.forEach(([lon, lat], index) => {
            const [x, y] = toWorld(lat, lon);
            world[index * 2] = x;
            world[index * 2 + 1] = y;
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
          });
          polygons.push({ world, box: [minX, minY, maxX, maxY] });
        }
      }
    }
    this.basemap = polygons;
    this.requestRender();
  }

  /** The regional basemap (relief, lines and towns) from picture.js loadRegion(). */
  setRegion(region) {
    this.region = region;
    this.requestRender();
  }

  /**
   * Draws a situation. `context` gives `viewer`, `colorOf(party)`, `incidents` and the
   * ids of units and zones that open alerts concern.
   */
  setData(situation, context) {
    const now = ms(situation.time);
    const zones = (situation.zones ?? []).map((zone) => ({ zone, rings: volumeRings(zone), status: zoneStatus(zone, now) }));
    const operations = (situation.operations ?? []).flatMap((operation) =>
      (operation.volumes ?? []).map((volume, index) => ({ operation, volume, index, rings: volumeRings(volume) })));
    // Only units the API located: a reference (no position) is never drawn.
    const units = (situation.units ?? [])
      .filter((unit) => !unit.reference && unit.lastReport && Array.isArray(unit.lastReport.position))
      .map((unit) => ({
        unit,
        position: unit.lastReport.position,
        track: (unit.track ?? []).filter((point) => Array.isArray(point) && point.length >= 2).map((point) => [point[0], point[1]]),
        uncertainty: unit.lastReport.uncertaintyMeters > 0 ? circleRing(unit.lastReport.position, unit.lastReport.uncertaintyMeters, 64) : null,
      }));
    const incidents = (context.incidents ?? []).filter((incident) => Array.isArray(incident.position));
    this.data = { situation, zones, operations, units, incidents, now, context };
    // The instant drawn, for whoever reads the page: the server's now, or the replayed instant.
    this.container.dataset.time = situation.time ?? '';
    this.container.dataset.live = situation.live === false ? 'false' : 'true';
    this.highlight = { units: new Set(context.alertedUnits ?? []), zones: new Set(context.alertedZones ?? []) };
    if (!this.fitted && this.extentPoints().length > 0) this.fit();
    this.requestRender();
    if (this.selection) this.showInfo(this.selection);
  }

  clearData() {
    this.data = null;
    this.selection = null;
    this.fitted = false;
    this.userMoved = false;
    delete this.container.dataset.time;
    delete this.container.dataset.live;
    this.info.hidden = true;
    clear(this.info);
    for (const name of ['zones', 'operations', 'units', 'incidents']) clear(this.layers[name]);
    this.groups = {};
  }

  // MARK: drawing

  requestRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  render() {
    this.svg.setAttribute('viewBox', `0 0 ${this.width} ${this.height}`);
    this.svg.setAttribute('width', this.width);
    this.svg.setAttribute('height', this.height);
    this.renderBasemap();
    this.renderGraticule();
    this.renderFeatures();
    this.renderDrawing();
    this.renderScaleBar();
    this.container.dataset.zoom = this.zoom.toFixed(2);
    const [lat, lon] = this.unproject(this.width / 2, this.height / 2);
    this.container.dataset.center = `${lat.toFixed(4)},${lon.toFixed(4)}`;
  }

  renderBasemap() {
    const layer = this.layers.basemap;
    clear(layer);
    const scale = this.scale;
    const left = this.cx - this.width / 2 / scale;
    const right = this.cx + this.width / 2 / scale;
    const top = this.cy - this.height / 2 / scale;
    const bottom = this.cy + this.height / 2 / scale;
    let d = '';
    // Draw the world copies the view reaches (longitude wraps).
    for (let copy = Math.floor(left); copy <= Math.floor(right); copy += 1) {
      for (const polygon of this.basemap) {
        const [minX, minY, maxX, maxY] = polygon.box;
        if (maxX + copy < left || minX + copy > right || maxY < top || minY > bottom) continue;
        const world = polygon.world;
        let lastX = NaN;
        let lastY = NaN;
        let part = '';
        for (let i = 0; i < world.length; i += 2) {
          const x = (world[i] + copy - this.cx) * scale + this.width / 2;
          const y = (world[i + 1] - this.cy) * scale + this.height / 2;
          if (i > 0 && Math.abs(x - lastX) < 0.7 && Math.abs(y - lastY) < 0.7 && i < world.length - 2) continue;
          part += `${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`;
          lastX = x;
          lastY = y;
        }
        d += `${part}Z`;
      }
    }
    layer.append(s('path', { class: 'land', d }));
    clear(this.layers.places);
    drawRegion(this.region, this, layer, this.layers.places);
  }

  renderGraticule() {
    const layer = this.layers.graticule;
    const labels = this.layers.graticuleLabels;
    clear(layer);
    clear(labels);
    const [topLat, leftLon] = this.unproject(0, 0);
    const [bottomLat, rightLon] = this.unproject(this.width, this.height);
    const span = Math.max(rightLon - leftLon, 1e-6);
    const steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 45];
    const step = steps.find((candidate) => span / candidate <= 8) ?? 90;
    const decimals = step >= 1 ? 0 : step >= 0.1 ? (step === 0.25 ? 2 : 1) : step >= 0.01 ? 2 : 3;
    const format = (value, positive, negative) => `${Math.abs(value).toFixed(decimals)}°${value >= 0 ? positive : negative}`;
    let d = '';
    for (let lon = Math.ceil(leftLon / step) * step; lon <= rightLon; lon += step) {
      const [x] = this.project(0, lon);
      d += `M${x.toFixed(1)} 0V${this.height}`;
      const shown = ((((lon + 180) % 360) + 360) % 360) - 180;
      labels.append(s('text', { class: 'graticule-label', x: (x + 3).toFixed(1), y: 12, text: format(shown, 'E', 'W') }));
    }
    const lowLat = Math.max(bottomLat, -MAX_LATITUDE);
    const highLat = Math.min(topLat, MAX_LATITUDE);
    for (let lat = Math.ceil(lowLat / step) * step; lat <= highLat; lat += step) {
      const [, y] = this.project(lat, this.centerLongitude);
      d += `M0 ${y.toFixed(1)}H${this.width}`;
      labels.append(s('text', { class: 'graticule-label', x: 4, y: (y - 3).toFixed(1), text: format(lat, 'N', 'S') }));
    }
    layer.append(s('path', { class: 'graticule', d }));
  }

  ringPath(rings) {
    let d = '';
    for (const ring of rings) {
      const unwrapped = unwrapRing(ring, this.centerLongitude);
      unwrapped.forEach(([lat, lon], index) => {
        const [x, y] = this.project(lat, lon);
        d += `${index === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`;
      });
      d += 'Z';
    }
    return d;
  }

  /** The screen point where a shape's label goes: under its northernmost point, kept on screen. */
  labelAnchor(rings) {
    let best = null;
    for (const ring of rings) {
      for (const point of unwrapRing(ring, this.centerLongitude)) if (!best || point[0] > best[0]) best = point;
    }
    if (!best) return null;
    const [x, y] = this.project(best[0], best[1]);
    return [Math.max(8, Math.min(this.width - 8, x)), Math.max(30, Math.min(this.height - 40, y + 18))];
  }

  /**
   * The group drawing one feature, kept from one drawing to the next (so that the
   * element with `data-unit-id` and the like stays the same while the map moves);
   * its attributes are set afresh and its content is emptied for redrawing.
   */
  featureGroup(layer, key, attributes) {
    const cache = (this.groups[layer] ??= new Map());
    let group = cache.get(key);
    if (!group) {
      group = s('g');
      cache.set(key, group);
    }
    for (const attribute of [...group.attributes]) group.removeAttribute(attribute.name);
    const fresh = s('g', attributes);
    for (const attribute of [...fresh.attributes]) group.setAttribute(attribute.name, attribute.value);
    clear(group);
    this.drawn.add(group);
    this.layers[layer].append(group);
    return group;
  }

  renderFeatures() {
    const data = this.data;
    this.groups ??= {};
    this.drawn = new Set();
    try {
      this.drawFeatures(data);
    } finally {
      // Whatever was not drawn this time goes.
      for (const cache of Object.values(this.groups)) {
        for (const [key, group] of cache) {
          if (!this.drawn.has(group)) {
            group.remove();
            cache.delete(key);
          }
        }
      }
    }
  }

  drawFeatures(data) {
    if (!data) return;
    const { context } = data;
    const selected = this.selection;

    // Labels are moved up or down when they would cover another: units' first, then
    // incidents', then those of zones and operations.
    const placed = [];
    const placeLabel = (x, y, text) => {
      const width = text.length * 7.4 + 4;
      // On the right of the symbol, or on its left near the right edge.
      const left = x + 19 + width > this.width - 50 && x - 19 - width > 0;
      const dx = left ? -19 : 19;
      const candidates = [4, 18, -10, 32, -24, 46, -38];
      for (const dy of candidates) {
        const box = left ? [x - 19 - width, y + dy - 11, x - 19, y + dy + 3] : [x + 19, y + dy - 11, x + 19 + width, y + dy + 3];
        if (!placed.some((other) => box[0] < other[2] && box[2] > other[0] && box[1] < other[3] && box[3] > other[1])) {
          placed.push(box);
          return { dx, dy, anchor: left ? 'end' : 'start' };
        }
      }
      return null;
    };
    const placeArea = (anchor, title, detail) => {
      if (!anchor) return null;
      const width = Math.max(title.length * 7.6, detail.length * 6.4) + 6;
      // Kept whole on screen when the shape reaches past an edge.
      const x = width + 8 < this.width ? Math.max(width / 2 + 4, Math.min(this.width - width / 2 - 4, anchor[0])) : anchor[0];
      for (const dy of [0, 30, -30, 60, -60, 90]) {
        const y = anchor[1] + dy;
        const box = [x - width / 2, y - 12, x + width / 2, y + 17];
        if (!placed.some((other) => box[0] < other[2] && box[2] > other[0] && box[1] < other[3] && box[3] > other[1])) {
          placed.push(box);
          return [x, y];
        }
      }
      return [x, anchor[1]];
    };

    // The symbols first, so that no label covers another unit's symbol.
    for (const { position } of data.units) {
      const [x, y] = this.project(position[0], unwrapRing([position], this.centerLongitude)[0][1]);
      placed.push([x - 15, y - 14, x + 15, y + 12]);
    }
    const ordered = [...data.units].sort((a, b) => Number(b.unit.party === context.viewer) - Number(a.unit.party === context.viewer)
      || String(a.unit.id).localeCompare(String(b.unit.id)));
    for (const item of ordered) {
      const { unit, position, track } = item;
      const report = unit.lastReport;
      const own = unit.party === context.viewer;
      const affiliation = affiliationOf(unit.party, context.viewer, data.situation.agreements ?? []);
      const classes = ['unit', `domain-${unit.domain}`, own ? 'is-own' : 'is-other', `affiliation-${affiliation}`];
      if (unit.stale) classes.push('is-stale');
      if (this.highlight.units.has(unit.id)) classes.push('is-alerted');
      if (selected?.type === 'unit' && selected.id === unit.id) classes.push('is-selected');
      const color = unit.stale ? null : context.colorOf(unit.party);
      const group = this.featureGroup('units', unit.id, {
        class: classes.join(' '),
        dataset: {
          unitId: unit.id, party: unit.party, domain: unit.domain, affiliation, stale: unit.stale ? 'true' : 'false',
          lat: position[0], lon: position[1], course: Number.isFinite(report.courseDegrees) ? report.courseDegrees : undefined,
          time: report.time,
        },
        style: color ? `--unit-color: ${color}` : undefined,
      });
      // The recent track, ending at the last report.
      const line = [...track];
      const last = line[line.length - 1];
      if (!last || last[0] !== position[0] || last[1] !== position[1]) line.push(position);
      if (line.length >= 2) {
        const points = unwrapRing(line, this.centerLongitude)
          .map(([lat, lon]) => this.project(lat, lon).map((value) => value.toFixed(1)).join(','))
          .join(' ');
        group.append(s('polyline', { class: 'unit-track', points }));
      }
      if (item.uncertainty) {
        group.append(s('path', { class: 'unit-uncertainty', d: this.ringPath([item.uncertainty]) }));
      }
      const [lon] = unwrapRing([position], this.centerLongitude).map((point) => point[1]);
      const [x, y] = this.project(position[0], lon);
      const marker = s('g', { class: 'unit-marker', transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})` });
      const course = Number.isFinite(report.courseDegrees) ? report.courseDegrees : 0;
      const moving = report.speedMetersPerSecond > 0.5;
      // Heading: an arrow along the course (Mercator keeps angles, so the course is the screen angle).
      marker.append(s('g', { class: `unit-heading${moving ? ' is-moving' : ''}`, transform: `rotate(${course.toFixed(1)})`, dataset: { course: course.toFixed(1) } },
        s('line', { x1: 0, y1: -14, x2: 0, y2: moving ? -32 : -20 }),
        s('path', { d: moving ? 'M-4 -28L0 -35L4 -28Z' : 'M-3 -18L0 -23L3 -18Z' })));
      // The MIL-STD-2525D / APP-6 frame and icon (picture.js); .unit-symbol keeps the selection outline.
      marker.append(s('g', { class: 'unit-symbol' }, unitSymbol(unit, affiliation)));
      if (this.highlight.units.has(unit.id)) marker.append(s('circle', { class: 'unit-alert-ring', r: 21 }));
      const labelText = `${unit.name || unit.id}${unit.stale ? ' · STALE' : ''}`;
      const place = placeLabel(x, y, labelText);
      if (place) {
        // A label moved up or down is tied to its symbol by a leader line.
        if (Math.abs(place.dy) > 18) {
          marker.append(s('line', { class: 'unit-leader', x1: Math.sign(place.dx) * 15, y1: 0, x2: place.dx, y2: place.dy - 4 }));
        }
        const label = s('text', { class: 'unit-label', x: place.dx, y: place.dy, 'text-anchor': place.anchor });
        label.append(s('tspan', { text: unit.name || unit.id }));
        if (unit.stale) label.append(s('tspan', { class: 'stale-tag', text: ' · STALE' }));
        marker.append(label);
      }
      group.append(marker);
      group.append(s('title', { text: `${unit.name || unit.id} (${unit.party}, ${unit.domain}, ${AFFILIATIONS[affiliation]})${unit.stale ? ' — STALE, reports stopped' : ''}` }));
    }

    for (const incident of data.incidents) {
      const [x, y] = this.project(incident.position[0], unwrapRing([incident.position], this.centerLongitude)[0][1]);
      const group = this.featureGroup('incidents', incident.id, {
        class: `incident${selected?.type === 'incident' && selected.id === incident.id ? ' is-selected' : ''}`,
        dataset: { incidentId: incident.id, lat: incident.position[0], lon: incident.position[1] },
        transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
      });
      group.append(s('path', { class: 'incident-symbol', d: 'M-6 -6L6 6M6 -6L-6 6' }));
      group.append(s('circle', { class: 'incident-ring', r: 9 }));
      const labelText = `Incident ${incident.id}`;
      const width = labelText.length * 6.6 + 4;
      const free = [24, -14, 38, -28].find((dy) => {
        const box = [x - width / 2, y + dy - 10, x + width / 2, y + dy + 3];
        return !placed.some((other) => box[0] < other[2] && box[2] > other[0] && box[1] < other[3] && box[3] > other[1]);
      }) ?? 24;
      placed.push([x - width / 2, y + free - 10, x + width / 2, y + free + 3]);
      group.append(s('text', { class: 'incident-label', x: 0, y: free, 'text-anchor': 'middle', text: labelText }));
      group.append(s('title', { text: incident.summary || incident.id }));
    }

    for (const { zone, rings, status } of data.zones) {
      const classes = ['zone', `kind-${zone.kind}`, `status-${status.replace(/ /g, '-')}`];
      if (isConstraint(zone)) classes.push('is-constraint');
      if (this.highlight.zones.has(zone.id)) classes.push('is-alerted');
      if (selected?.type === 'zone' && selected.id === zone.id) classes.push('is-selected');
      const group = this.featureGroup('zones', zone.id, {
        class: classes.join(' '),
        dataset: { zoneId: zone.id, kind: zone.kind, stale: zone.stale ? 'true' : 'false', status },
      });
      group.append(s('path', { class: 'zone-shape', d: this.ringPath(rings), 'fill-rule': 'evenodd' }));
      const detail = [zoneKindLabel(zone)];
      if (status !== 'active') detail.push(status.toUpperCase());
      const anchor = placeArea(this.labelAnchor(rings), zone.name || zone.id, detail.join(' · '));
      if (anchor) {
        const text = s('text', { class: 'zone-label', x: anchor[0].toFixed(1), y: anchor[1].toFixed(1), 'text-anchor': 'middle' });
        text.append(s('tspan', { x: anchor[0].toFixed(1), text: zone.name || zone.id }));
        text.append(s('tspan', { class: 'zone-label-detail', x: anchor[0].toFixed(1), dy: '1.2em', text: detail.join(' · ') }));
        group.append(text);
      }
      group.append(s('title', { text: `${zone.name || zone.id} — ${zoneKindLabel(zone)}, ${status}` }));
    }

    for (const { operation, volume, index, rings } of data.operations) {
      const classes = ['operation', `state-${operation.state}`];
      if (isIntent(operation)) classes.push('is-intent');
      if (operation.reference) classes.push('is-reference');
      if (selected?.type === 'operation' && selected.id === operation.id) classes.push('is-selected');
      const group = this.featureGroup('operations', `${operation.id}#${index}`, {
        class: classes.join(' '),
        dataset: { operationId: operation.id, volume: index, state: operation.state, party: operation.party },
      });
      group.append(s('path', { class: 'operation-shape', d: this.ringPath(rings), 'fill-rule': 'evenodd' }));
      const detailText = `${operation.party} · ${operation.state} · ${formatAltitudeBand(volume.altitude)}`;
      const anchor = index === 0 ? placeArea(this.labelAnchor(rings), operationTitle(operation), detailText) : null;
      if (anchor) {
        const text = s('text', { class: 'operation-label', x: anchor[0].toFixed(1), y: anchor[1].toFixed(1), 'text-anchor': 'middle' });
        text.append(s('tspan', { x: anchor[0].toFixed(1), text: operationTitle(operation) }));
        text.append(s('tspan', {
          class: 'zone-label-detail', x: anchor[0].toFixed(1), dy: '1.2em',
          text: detailText,
        }));
        group.append(text);
      }
      group.append(s('title', { text: `${operationTitle(operation)} — ${operation.party}, ${operation.state}` }));
    }
  }

  renderScaleBar() {
    if (!this.scaleBar) return;
    const [lat] = this.unproject(this.width / 2, this.height / 2);
    const metersPerPixel = (2 * Math.PI * EARTH_RADIUS * Math.cos((lat * Math.PI) / 180)) / this.scale;
    const maximum = metersPerPixel * 120;
    const magnitude = 10 ** Math.floor(Math.log10(maximum));
    const nice = [5, 2, 1].map((factor) => factor * magnitude).find((value) => value <= maximum) ?? magnitude;
    const pixels = nice / metersPerPixel;
    this.scaleBar.querySelector('.scale-line').style.width = `${pixels.toFixed(0)}px`;
    this.scaleBar.querySelector('.scale-text').textContent = formatDistance(nice);
    this.scaleBar.dataset.meters = String(nice);
  }

  // MARK: selection and details

  select(selection, { center = false } = {}) {
    this.selection = selection;
    if (selection && center) {
      this.userMoved = true;
      const points = this.pointsOf(selection);
      if (points.length === 1) this.centerOn(points[0][0], points[0][1], 10);
      else if (points.length > 1) this.fit(points);
    }
    this.showInfo(selection);
    this.requestRender();
    this.onSelect?.(selection);
  }

  pointsOf(selection) {
    const data = this.data;
    if (!data || !selection) return [];
    if (selection.type === 'zone') return data.zones.filter((item) => item.zone.id === selection.id).flatMap((item) => item.rings.flat());
    if (selection.type === 'operation') return data.operations.filter((item) => item.operation.id === selection.id).flatMap((item) => item.rings.flat());
    if (selection.type === 'unit') return data.units.filter((item) => item.unit.id === selection.id).map((item) => item.position);
    if (selection.type === 'incident') return data.incidents.filter((item) => item.id === selection.id).map((item) => item.position);
    if (selection.type === 'alert') {
      const points = [];
      for (const id of selection.units ?? []) points.push(...this.pointsOf({ type: 'unit', id }));
      if (selection.zone) points.push(...this.pointsOf({ type: 'zone', id: selection.zone }));
      return points;
    }
    return [];
  }

  /** Whether the map can show something of this selection (a reference unit it cannot). */
  canShow(selection) {
    return this.pointsOf(selection).length > 0;
  }

  showInfo(selection) {
    const box = this.info;
    this.infoFocus = box.contains(document.activeElement) ? document.activeElement.dataset.focusKey : undefined;
    clear(box);
    const rows = selection ? this.describe(selection) : null;
    if (!rows) {
      box.hidden = true;
      return;
    }
    const [title, ...details] = rows;
    box.append(
      h('div', { class: 'map-info-head' },
        h('strong', { text: title }),
        h('button', { type: 'button', class: 'map-info-close', 'aria-label': 'Close details', text: '×', onclick: () => this.select(null) })),
      h('dl', {}, details.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })])),
    );
    this.appendInfoActions(box, selection);
    box.hidden = false;
  }

  describe(selection) {
    const data = this.data;
    if (!data) return null;
    if (selection.type === 'zone') {
      const item = data.zones.find((entry) => entry.zone.id === selection.id);
      if (!item) return null;
      const zone = item.zone;
      const rows = [zone.name || zone.id, ['Kind', zoneKindLabel(zone)], ['Status', item.status], ['Owner', zone.owner]];
      if (zone.agreement) rows.push(['Agreement', zone.agreement]);
      rows.push(['Altitude', formatAltitudeBand(zone.altitude)]);
      if (zone.circle) rows.push(['Circle', `${formatDistance(zone.circle.radius)} around ${formatPosition(zone.circle.center)}`]);
      if (zone.from) rows.push(['From', formatDateTime(zone.from)]);
      if (zone.until) rows.push(['Until', formatDateTime(zone.until)]);
      if (zone.revalidateBy) rows.push(['Revalidate by', formatDateTime(zone.revalidateBy)]);
      if (Array.isArray(zone.allowed) && zone.allowed.length) rows.push(['Allowed', zone.allowed.join(', ')]);
      rows.push(['Id', zone.id]);
      return rows;
    }
    if (selection.type === 'unit') {
      const item = data.units.find((entry) => entry.unit.id === selection.id);
      if (!item) return null;
      const { unit } = item;
      const report = unit.lastReport;
      return [
        unit.name || unit.id,
        ['Party', unit.party],
        ['Domain', unit.domain],
        ['Affiliation', AFFILIATIONS[affiliationOf(unit.party, data.context.viewer, data.situation.agreements ?? [])]],
        ['Status', unit.stale ? 'STALE — reports stopped' : 'reporting'],
        ['Position', formatPosition(report.position)],
        ['Altitude', `${Math.round(report.altitudeMeters).toLocaleString('en-US')} m`],
        ['Speed', `${report.speedMetersPerSecond.toFixed(1)} m/s`],
        ['Course', `${Math.round(report.courseDegrees)}°`],
        ['Uncertainty', report.uncertaintyMeters > 0 ? formatDistance(report.uncertaintyMeters) : '—'],
        ['Last report', formatDateTime(report.time)],
        ['Id', unit.id],
      ];
    }
    if (selection.type === 'operation') {
      const item = data.operations.find((entry) => entry.operation.id === selection.id);
      if (!item) return null;
      const operation = item.operation;
      const rows = [operationTitle(operation), ['Party', operation.party], ['State', operation.state], ['Priority', String(operation.priority)]];
      if (operation.reference) rows.push(['Shown as', 'reference (name and units withheld)']);
      if (Array.isArray(operation.units) && operation.units.length) rows.push(['Units', operation.units.join(', ')]);
      if (operation.noticeGivenAt) rows.push(['Notice given', formatDateTime(operation.noticeGivenAt)]);
      (operation.volumes ?? []).forEach((volume, index) => {
        const when = [volume.from && formatDateTime(volume.from), volume.until && formatDateTime(volume.until)].filter(Boolean).join(' → ');
        rows.push([`Volume ${index + 1}`, `${formatAltitudeBand(volume.altitude)}${when ? `, ${when}` : ''}`]);
      });
      rows.push(['Id', operation.id]);
      return rows;
    }
    if (selection.type === 'incident') {
      const incident = data.incidents.find((entry) => entry.id === selection.id);
      if (!incident) return null;
      const rows = [`Incident ${incident.id}`, ['Summary', incident.summary], ['Reported by', incident.reportedBy], ['Recorded', formatDateTime(incident.recordedAt)]];
      if (incident.zone) rows.push(['Zone', incident.zone]);
      if (incident.units?.length) rows.push(['Units', incident.units.join(', ')]);
      rows.push(['Position', formatPosition(incident.position)]);
      return rows;
    }
    return null;
  }

  /**
   * Buttons under the details of a selection, from `infoActions(selection)` when set
   * (editing one's own zone); the one that had the focus keeps it across a redraw.
   */
  appendInfoActions(box, selection) {
    const actions = this.infoActions?.(selection) ?? [];
    if (!actions.length) return;
    box.append(h('div', { class: 'map-info-actions' }, actions));
    const again = this.infoFocus && box.querySelector(`[data-focus-key="${CSS.escape(this.infoFocus)}"]`);
    if (again) again.focus({ preventScroll: true });
  }

  // MARK: drawing shapes

  /**
   * Turns the map's clicks into positions for a shape being drawn: `onPoint([lat, lon])`
   * for each click (a drag still pans, a wheel still zooms), `onMove([lat, lon])` as
   * the pointer moves over the map, `onFinish()` on Enter and `onCancel()` on Escape
   * (the map having the focus). Nothing is selected by a click meanwhile.
   * Given `{kind, onChange, onFinish, onCancel}` instead, the map draws the shape
   * itself (see `shapeDrawing`).
   */
  startDrawing(options = {}) {
    const { onPoint, onMove, onFinish, onCancel } = !options.onPoint && options.kind ? this.shapeDrawing(options) : options;
    this.drawing = { onPoint, onMove, onFinish, onCancel };
    if (!this.drawingBound) {
      this.drawingBound = true;
      this.svg.addEventListener('pointermove', (event) => {
        if (this.drawing && !this.container.classList.contains('is-dragging')) this.drawing.onMove?.(this.positionAt(event));
      });
      // Before the map's own keys: Escape ends the drawing, not the selection.
      this.container.addEventListener('keydown', (event) => {
        if (!this.drawing || event.target !== this.container) return;
        const action = event.key === 'Enter' ? this.drawing.onFinish : event.key === 'Escape' ? this.drawing.onCancel : null;
        if (!action) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        action();
      }, { capture: true });
    }
    this.container.classList.add('is-drawing');
    this.container.dataset.drawing = 'true';
  }

  /**
   * Drawing kept by the map: a circle (centre, then a point on it) or a polygon (its
   * vertices; the first clicked again, or Enter, closes it), reported as
   * `{circle: {center, radius}}` or `{polygon: [ring]}` to `onChange` while drawn and to
   * `onFinish` at the end; the preview goes when it ends.
   */
  shapeDrawing({ kind, onChange, onFinish, onCancel }) {
    const points = [];
    let radius = 0;
    const shape = () => (kind === 'circle' ? { circle: { center: points[0], radius } } : { polygon: [points.slice()] });
    const show = (pointer) => this.setPreview(kind === 'circle'
      ? { rings: radius > 0 ? [circleRing(points[0], radius)] : [], points: [points[0]] }
      : { line: pointer ? [...points, pointer] : points, points, rings: pointer || points.length < 3 ? [] : [points] });
    const end = (report) => {
      this.stopDrawing();
      this.setPreview(null);
      report?.();
    };
    const finish = () => {
      if (kind === 'polygon' && points.length >= 3) end(() => onFinish?.(shape()));
    };
    return {
      onPoint: (position) => {
        if (kind === 'circle') {
          if (points.length) {
            radius = distanceMeters(points[0], position);
            end(() => onFinish?.(shape()));
            return;
          }
          points.push(position);
        } else {
          const first = points.length >= 3 ? this.screenPoint(points[0]) : null;
          const here = this.screenPoint(position);
          if (first && Math.hypot(first[0] - here[0], first[1] - here[1]) <= 12) {
            finish();
            return;
          }
          points.push(position);
        }
        show();
        onChange?.(shape());
      },
      onMove: (position) => {
        if (!points.length) return;
        if (kind === 'circle') {
          radius = distanceMeters(points[0], position);
          onChange?.(shape());
        }
        show(kind === 'polygon' ? position : undefined);
      },
      onFinish: finish,
      onCancel: () => end(() => onCancel?.()),
    };
  }

  stopDrawing() {
    this.drawing = null;
    this.container.classList.remove('is-drawing');
    delete this.container.dataset.drawing;
  }

  /**
   * Shows a shape being drawn or edited, above everything else: `rings` (closed, as
   * zones are), `line` (an open path) and `points` (vertices, the first marked), each
   * of `[lat, lon]`; null clears it.
   */
  setPreview(preview) {
    this.preview = preview ?? null;
    this.requestRender();
  }

  renderDrawing() {
    if (!this.layers.drawing) {
      this.layers.drawing = s('g', { class: 'layer layer-drawing' });
      this.svg.append(this.layers.drawing);
    }
    const layer = this.layers.drawing;
    clear(layer);
    const preview = this.preview;
    if (!preview) return;
    if (preview.rings?.length) {
      layer.append(s('path', { class: 'drawing-shape', d: this.ringPath(preview.rings), 'fill-rule': 'evenodd' }));
    }
    if (preview.line?.length >= 2) {
      const points = unwrapRing(preview.line, this.centerLongitude)
        .map(([lat, lon]) => this.project(lat, lon).map((value) => value.toFixed(1)).join(','))
        .join(' ');
      layer.append(s('polyline', { class: 'drawing-line', points }));
    }
    (preview.points ?? []).forEach((point, index) => {
      const [x, y] = this.screenPoint(point);
      layer.append(s('circle', {
        class: `drawing-vertex${index === 0 ? ' is-first' : ''}`, cx: x.toFixed(1), cy: y.toFixed(1), r: index === 0 ? 7 : 5,
        dataset: { vertex: index, lat: point[0], lon: point[1] },
      }));
    });
  }

  /** The latitude and longitude under a pointer event. */
  positionAt(event) {
    const rect = this.svg.getBoundingClientRect();
    const [lat, lon] = this.unproject(event.clientX - rect.left, event.clientY - rect.top);
    return [lat, normalizeLongitude(lon)];
  }

  /** The screen point of a position, on the copy of the world nearest the view's centre. */
  screenPoint([lat, lon]) {
    return this.project(lat, unwrapRing([[lat, lon]], this.centerLongitude)[0][1]);
  }

  // MARK: legend

  renderLegend(list, parties, colorOf, viewer) {
    clear(list);
    const swatch = (className, style) => s('svg', { class: 'legend-swatch', width: 22, height: 14, 'aria-hidden': 'true' },
      s('rect', { x: 1, y: 1, width: 20, height: 12, rx: 2, class: className, style }));
    for (const [kind, label] of Object.entries(ZONE_KINDS)) {
      list.append(h('li', {}, swatch(`legend-zone kind-${kind}`), label));
    }
    list.append(h('li', {}, swatch('legend-zone kind-no-fly-area is-constraint'), 'F3548 constraint'));
    list.append(h('li', {}, swatch('legend-zone status-stale'), 'stale zone'));
    list.append(h('li', {}, swatch('legend-operation'), 'operation / F3548 intent'));
    for (const party of parties) {
      const dot = s('svg', { class: 'legend-swatch', width: 22, height: 14, 'aria-hidden': 'true' },
        s('circle', { cx: 11, cy: 7, r: 5, fill: colorOf(party), stroke: '#0b1220', 'stroke-width': 1.5 }));
      list.append(h('li', {}, dot, party === viewer ? `${party} (you)` : party));
    }
    // MIL-STD-2525D / APP-6 frames: affiliation seen from the viewer's side (picture.js).
    const symbol = (unit, affiliation) => s('svg', { class: 'legend-swatch legend-symbol', width: 22, height: 18, viewBox: '-16 -15 32 30', 'aria-hidden': 'true' },
      unitSymbol(unit, affiliation));
    for (const [affiliation, label] of Object.entries(AFFILIATIONS)) {
      list.append(h('li', {}, symbol({ domain: 'ground' }, affiliation), symbol({ domain: 'air' }, affiliation), `${label}: ground, air`));
    }
    list.append(h('li', {}, symbol({ domain: 'ground', stale: true }, 'friend'), 'stale unit (reports stopped)'));
    list.append(h('li', {}, h('span', { class: 'legend-text', text: '➝ heading · ● town (GeoNames)' })));
  }

  // MARK: interaction

  bindInteraction() {
    const container = this.container;
    const pointers = new Map();
    let drag = null;
    let pinch = null;

    this.svg.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 && event.pointerType === 'mouse') return;
      this.svg.setPointerCapture(event.pointerId);
      pointers.set(event.pointerId, [event.clientX, event.clientY]);
      if (pointers.size === 1) {
        drag = { x: event.clientX, y: event.clientY, startX: event.clientX, startY: event.clientY, moved: false, target: event.target };
      } else if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = { distance: Math.hypot(a[0] - b[0], a[1] - b[1]), zoom: this.zoom };
        drag = null;
      }
    });
    this.svg.addEventListener('pointermove', (event) => {
      if (!pointers.has(event.pointerId)) return;
      pointers.set(event.pointerId, [event.clientX, event.clientY]);
      if (pinch && pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
        const rect = this.svg.getBoundingClientRect();
        const anchor = [(a[0] + b[0]) / 2 - rect.left, (a[1] + b[1]) / 2 - rect.top];
        this.userMoved = true;
        if (pinch.distance > 0) this.setZoom(pinch.zoom + Math.log2(distance / pinch.distance), anchor);
      } else if (drag) {
        const dx = event.clientX - drag.x;
        const dy = event.clientY - drag.y;
        if (!drag.moved && Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) > 4) drag.moved = true;
        if (drag.moved) {
          this.userMoved = true;
          this.panBy(dx, dy);
          container.classList.add('is-dragging');
        }
        drag.x = event.clientX;
        drag.y = event.clientY;
      }
    });
    const end = (event) => {
      if (!pointers.has(event.pointerId)) return;
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
      container.classList.remove('is-dragging');
      if (drag && !drag.moved && event.type === 'pointerup') this.clickAt(drag.target, event);
      drag = null;
    };
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);

    this.svg.addEventListener('wheel', (event) => {
      event.preventDefault();
      const rect = this.svg.getBoundingClientRect();
      const lines = event.deltaMode === 1 ? 40 : event.deltaMode === 2 ? 400 : 1;
      const delta = Math.max(-1, Math.min(1, (-event.deltaY * lines) / 300));
      this.userMoved = true;
      this.zoomBy(delta, [event.clientX - rect.left, event.clientY - rect.top]);
    }, { passive: false });

    this.svg.addEventListener('dblclick', (event) => {
      if (this.drawing) return; // two clicks of a shape being drawn, not a zoom
      this.userMoved = true;
      const rect = this.svg.getBoundingClientRect();
      this.zoomBy(1, [event.clientX - rect.left, event.clientY - rect.top]);
    });

    container.addEventListener('keydown', (event) => {
      if (event.target !== container || event.altKey || event.ctrlKey || event.metaKey) return;
      const step = Math.min(this.width, this.height) / 5;
      const keys = {
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
        '+': () => this.zoomBy(1),
        '=': () => this.zoomBy(1),
        '-': () => this.zoomBy(-1),
        _: () => this.zoomBy(-1),
        0: () => this.fit(),
        Escape: () => this.select(null),
      };
      const action = keys[event.key];
      if (action) {
        event.preventDefault();
        if (event.key !== 'Escape') this.userMoved = event.key !== '0';
        action();
      }
    });

    container.querySelector('#zoom-in').addEventListener('click', () => {
      this.userMoved = true;
      this.zoomBy(1);
    });
    container.querySelector('#zoom-out').addEventListener('click', () => {
      this.userMoved = true;
      this.zoomBy(-1);
    });
    container.querySelector('#zoom-fit').addEventListener('click', () => {
      this.userMoved = false;
      this.fit();
    });
  }

  clickAt(target, event) {
    if (this.drawing && event) {
      this.drawing.onPoint?.(this.positionAt(event));
      return;
    }
    const element = target instanceof Element ? target.closest('[data-unit-id], [data-incident-id], [data-operation-id], [data-zone-id]') : null;
    if (!element) {
      this.select(null);
      return;
    }
    const { unitId, incidentId, operationId, zoneId } = element.dataset;
    if (unitId) this.select({ type: 'unit', id: unitId });
    else if (incidentId) this.select({ type: 'incident', id: incidentId });
    else if (operationId) this.select({ type: 'operation', id: operationId });
    else if (zoneId) this.select({ type: 'zone', id: zoneId });
  }
}

/** Metres between two positions along the great circle (mean Earth radius). */
function distanceMeters([lat1, lon1], [lat2, lon2]) {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2
    + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** How an operation is named on the map and in lists. */
export function operationTitle(operation) {
  if (isIntent(operation)) return `F3548 intent ${operation.id.slice('intent:'.length, 'intent:'.length + 8)}`;
  if (operation.reference) return `Operation ${operation.id} (reference)`;
  return operation.name ? `Operation ${operation.name}` : `Operation ${operation.id}`;
}
