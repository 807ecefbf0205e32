// The common operating picture's own parts of the map: the regional basemap (relief,
// borders, coast, lakes, rivers and towns around the At Tanf zone, built by
// scripts/basemap into ../basemap/) and the MIL-STD-2525D / APP-6 unit symbols.

import { s } from './util.js';
import { toWorld } from './geo.js';

// MARK: regional basemap

/**
 * Loads the regional basemap: its manifest, then the lines and towns it names.
 * Resolves to null when the console has none (the world borders are still drawn).
 */
export async function loadRegion(base = 'basemap/manifest.json') {
  const manifestURL = new URL(base, document.baseURI);
  const get = async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    return response.json();
  };
  const manifest = await get(manifestURL);
  // The manifest's paths are relative to itself.
  const resolve = (path) => new URL(path, manifestURL).href;
  const [lines, towns] = await Promise.all([get(resolve(manifest.layers.region)), get(resolve(manifest.layers.towns))]);
  return prepareRegion({ ...manifest, relief: { ...manifest.relief, href: resolve(manifest.relief.href) } }, lines, towns);
}

/** Projects the region's features once, to Web Mercator world coordinates ([0, 1]²). */
function prepareRegion(manifest, lines, towns) {
  const world = (coordinates) => {
    const points = new Float64Array(coordinates.length * 2);
    coordinates.forEach(([lon, lat], index) => {
      const [x, y] = toWorld(lat, lon);
      points[index * 2] = x;
      points[index * 2 + 1] = y;
    });
    return points;
  };
  const features = { border: [], coast: [], river: [], lake: [] };
  for (const feature of lines.features ?? []) {
    const layer = feature.properties?.layer;
    const geometry = feature.geometry;
    if (!features[layer] || !geometry) continue;
    if (geometry.type === 'LineString') features[layer].push(world(geometry.coordinates));
    else if (geometry.type === 'Polygon') features[layer].push(world(geometry.coordinates[0]));
  }
  const places = (towns.features ?? [])
    .filter((feature) => feature.geometry?.type === 'Point')
    .map((feature) => {
      const [lon, lat] = feature.geometry.coordinates;
      const [x, y] = toWorld(lat, lon);
      return { name: feature.properties.name, population: feature.properties.population ?? 0, lat, lon, x, y };
    })
    .sort((a, b) => b.population - a.population);
  const relief = manifest.relief;
  const [west, north] = toWorld(relief.north, relief.west);
  const [east, south] = toWorld(relief.south, relief.east);
  return {
    relief: { href: relief.href, box: [west, north, east, south] },
    features,
    places,
    attribution: manifest.attribution,
    sources: manifest.sources ?? [],
  };
}

/**
 * The smallest population whose towns are labelled at a zoom: few labels when the
 * whole region shows, every place once the view is down to a zone's scale.
 */
function minimumPopulation(zoom) {
  if (zoom < 6) return 500000;
  if (zoom < 7) return 100000;
  if (zoom < 8) return 25000;
  if (zoom < 9) return 5000;
  return 0;
}

/**
 * Draws the region into `layer` (the map's basemap layer, above the world's land) and
 * the town labels into `labels`. `view` is the MapView: its centre, scale and size.
 * Labels are placed largest town first; one whose box would cover a label already
 * placed is left out (its name is in the dot's tooltip).
 */
export function drawRegion(region, view, layer, labels) {
  if (!region) return;
  const scale = view.scale;
  const halfWidth = view.width / 2;
  const halfHeight = view.height / 2;
  const screen = (x, y) => [(x - view.cx) * scale + halfWidth, (y - view.cy) * scale + halfHeight];
  const [left, top] = screen(region.relief.box[0], region.relief.box[1]);
  const [right, bottom] = screen(region.relief.box[2], region.relief.box[3]);
  if (right < 0 || left > view.width || bottom < 0 || top > view.height) return;

  layer.append(s('image', {
    class: 'relief', href: region.relief.href, x: left.toFixed(1), y: top.toFixed(1),
    width: (right - left).toFixed(1), height: (bottom - top).toFixed(1), preserveAspectRatio: 'none',
  }));
  const path = (list, closed) => {
    let d = '';
    for (const points of list) {
      let lastX = NaN;
      let lastY = NaN;
      let inside = false;
      let part = '';
      for (let i = 0; i < points.length; i += 2) {
        const [x, y] = screen(points[i], points[i + 1]);
        if (x > -200 && x < view.width + 200 && y > -200 && y < view.height + 200) inside = true;
        if (i > 0 && Math.abs(x - lastX) < 0.7 && Math.abs(y - lastY) < 0.7 && i < points.length - 2) continue;
        part += `${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`;
        lastX = x;
        lastY = y;
      }
      if (inside) d += closed ? `${part}Z` : part;
    }
    return d;
  };
  layer.append(s('path', { class: 'region-lake', d: path(region.features.lake, true) }));
  layer.append(s('path', { class: 'region-river', d: path(region.features.river, false) }));
  layer.append(s('path', { class: 'region-coast', d: path(region.features.coast, false) }));
  layer.append(s('path', { class: 'region-border', d: path(region.features.border, false) }));

  const minimum = minimumPopulation(view.zoom);
  // The units' symbols are kept clear of town names (their own labels are placed later).
  const placed = (view.data?.units ?? []).map(({ position }) => {
    const [x, y] = view.project(position[0], position[1]);
    return [x - 16, y - 14, x + 16, y + 12];
  });
  const free = (box) => !placed.some((other) => box[0] < other[2] && box[2] > other[0] && box[1] < other[3] && box[3] > other[1]);
  let count = 0;
  const limit = view.width < 500 ? 40 : 90;
  for (const place of region.places) {
    if (count >= limit) break;
    if (place.population < minimum) break;
    const [x, y] = screen(place.x, place.y);
    if (x < 0 || x > view.width || y < 16 || y > view.height) continue;
    const major = place.population >= 100000;
    const width = place.name.length * (major ? 6.8 : 6) + 6;
    // The name on the right of the dot, else on its left; left out when both are taken.
    const right = [x - 3, y - 9, x + 5 + width, y + 5];
    const left = [x - 5 - width, y - 9, x + 3, y + 5];
    const box = free(right) ? right : free(left) ? left : null;
    if (!box) continue;
    placed.push(box);
    count += 1;
    const onLeft = box === left;
    const population = place.population > 0 ? `population ${place.population.toLocaleString('en-US')}` : 'population not recorded';
    labels.append(s('g', {
      class: `town${major ? ' is-major' : ''}`,
      dataset: { town: place.name, lat: place.lat, lon: place.lon, population: place.population },
      transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
    },
    s('circle', { class: 'town-dot', r: major ? 3 : 2.2 }),
    s('text', { class: 'town-label', x: onLeft ? -5 : 5, y: 4, 'text-anchor': onLeft ? 'end' : 'start', text: place.name }),
    s('title', { text: `${place.name} (${population}; GeoNames)` })));
  }
}

// MARK: unit symbols

/**
 * The affiliation a unit is drawn with, seen from the viewer's side. Deconflict serves
 * parties that are not allies, so it declares nobody hostile: the viewer's own units
 * are friend; those of a party that signed an agreement with the viewer are neutral
 * (a known counterpart under a deconfliction arrangement); any other party's are
 * unknown. The operator, who is no party, sees every unit as unknown.
 */
export function affiliationOf(party, viewer, agreements = []) {
  if (party === viewer) return 'friend';
  for (const agreement of agreements) {
    const signatories = agreement.signatories ?? {};
    if (signatories[viewer] === 'signed' && signatories[party] === 'signed') return 'neutral';
  }
  return 'unknown';
}

export const AFFILIATIONS = {
  friend: 'friend',
  neutral: 'neutral (a party with a signed agreement)',
  unknown: 'unknown (no signed agreement)',
};

// Frames on the standard's 200 × 200 symbol canvas, centred on (100, 100): ground
// units (rectangle, square, quatrefoil) and air tracks (the same shapes open at the bottom).
const FRAMES = {
  ground: {
    friend: 'M25 50H175V150H25Z',
    neutral: 'M45 45H155V155H45Z',
    unknown: 'M63 63C63 20 137 20 137 63C180 63 180 137 137 137C137 180 63 180 63 137C20 137 20 63 63 63Z',
  },
  air: {
    friend: 'M155 150C155 50 115 30 100 30C85 30 45 50 45 150',
    neutral: 'M45 150L45 30L155 30L155 150',
    unknown: 'M65 150C20 150 20 80 65 80C65 30 135 30 135 80C180 80 180 150 135 150',
  },
};

/**
 * The unit's symbol: its frame (filled by affiliation, dashed and faded when stale),
 * scaled so that a ground unit's frame is about 30 px wide, centred on the unit's
 * position. The frame is empty, the standard's "unspecified" function: a unit declares
 * its party, domain and name, not its function, and a symbol must not claim one (an
 * icon guessed from a name could make a truck look like a gun).
 */
export function unitSymbol(unit, affiliation) {
  const domain = unit.domain === 'air' ? 'air' : 'ground';
  const group = s('g', {
    class: `unit-frame affiliation-${affiliation} frame-${domain}${unit.stale ? ' is-stale' : ''}`,
    transform: 'scale(0.2) translate(-100 -100)',
  });
  group.append(s('path', { class: 'frame', d: FRAMES[domain][affiliation] ?? FRAMES[domain].unknown }));
  return group;
}
