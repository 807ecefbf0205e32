// Geometry for drawing: the Web Mercator projection and great-circle helpers on a
// sphere of the Earth's mean radius (exact enough for a picture; decisions are the
// server's, on the ellipsoid).

export const EARTH_RADIUS = 6_371_008.8;
export const MAX_LATITUDE = 85.05112878;
const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;

/** Web Mercator: latitude and longitude (degrees) to world coordinates in [0, 1]. */
export function toWorld(lat, lon) {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin(clamped * RAD);
  const x = (lon + 180) / 360;
  const y = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
  return [x, y];
}

/** World coordinates back to [latitude, longitude]. */
export function fromWorld(x, y) {
  const lon = x * 360 - 180;
  const lat = DEG * Math.atan(Math.sinh(Math.PI * (1 - 2 * y)));
  return [lat, lon];
}

/** The point `distance` metres from `[lat, lon]` along the initial bearing (degrees). */
export function destination([lat, lon], bearing, distance) {
  const delta = distance / EARTH_RADIUS;
  const theta = bearing * RAD;
  const phi1 = lat * RAD;
  const lambda1 = lon * RAD;
  const sinPhi2 = Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta);
  const phi2 = Math.asin(Math.max(-1, Math.min(1, sinPhi2)));
  const lambda2 = lambda1 + Math.atan2(
    Math.sin(theta) * Math.sin(delta) * Math.cos(phi1),
    Math.cos(delta) - Math.sin(phi1) * sinPhi2,
  );
  return [phi2 * DEG, normalizeLongitude(lambda2 * DEG)];
}

export function normalizeLongitude(lon) {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** A ring approximating the circle of `radius` metres around `center`. */
export function circleRing(center, radius, points = 128) {
  const ring = [];
  for (let i = 0; i < points; i += 1) ring.push(destination(center, (360 * i) / points, radius));
  return ring;
}

function toVector([lat, lon]) {
  const phi = lat * RAD;
  const lambda = lon * RAD;
  return [Math.cos(phi) * Math.cos(lambda), Math.cos(phi) * Math.sin(lambda), Math.sin(phi)];
}

function fromVector([x, y, z]) {
  return [Math.atan2(z, Math.hypot(x, y)) * DEG, Math.atan2(y, x) * DEG];
}

/**
 * The ring with each edge (the closing one included) followed along its great circle,
 * one point at least every `step` radians, so long edges bow as they do on the Earth.
 */
export function densifyRing(ring, step = 0.002) {
  const out = [];
  for (let i = 0; i < ring.length; i += 1) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    out.push(a);
    const va = toVector(a);
    const vb = toVector(b);
    const dot = Math.max(-1, Math.min(1, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]));
    const angle = Math.acos(dot);
    const pieces = Math.min(256, Math.floor(angle / step));
    if (pieces < 2 || Math.sin(angle) < 1e-12) continue;
    for (let k = 1; k < pieces; k += 1) {
      const t = k / pieces;
      const wa = Math.sin((1 - t) * angle) / Math.sin(angle);
      const wb = Math.sin(t * angle) / Math.sin(angle);
      out.push(fromVector([wa * va[0] + wb * vb[0], wa * va[1] + wb * vb[1], wa * va[2] + wb * vb[2]]));
    }
  }
  return out;
}

/**
 * The ring's longitudes made continuous (no jump of more than 180° between neighbours)
 * and shifted by whole turns to lie nearest `nearLongitude`: a shape across the
 * antimeridian is drawn in one piece.
 */
export function unwrapRing(ring, nearLongitude = 0) {
  if (ring.length === 0) return ring;
  const out = [];
  let previous = ring[0][1];
  for (const [lat, lon] of ring) {
    let value = lon;
    while (value - previous > 180) value -= 360;
    while (value - previous < -180) value += 360;
    out.push([lat, value]);
    previous = value;
  }
  const mean = out.reduce((sum, point) => sum + point[1], 0) / out.length;
  const shift = Math.round((nearLongitude - mean) / 360) * 360;
  if (shift !== 0) for (const point of out) point[1] += shift;
  return out;
}
