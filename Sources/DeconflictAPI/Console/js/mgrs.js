// MGRS and UTM on the WGS84 ellipsoid: latitude and longitude to and from grid
// references such as `37S FT 14760 07283`.
//
// The transverse Mercator projection is computed with Krüger's series in the third
// flattening, to its sixth order (sub-millimetre within a UTM zone). The 100 km square
// letters follow the MGRS "AA" lettering for WGS84: column letters in three sets of
// eight (A–H, J–R, S–Z; I and O left out) by zone, row letters A–V (I and O left out)
// repeating every 2,000 km, offset by five in even zones. Latitude bands C–X are 8°
// high (X is 12°); the zones of southern Norway (32V) and Svalbard (31X, 33X, 35X, 37X)
// are widened as the standard defines. MGRS does not cover the polar regions (below
// 80° S, above 84° N: UPS), which are refused here.

const A_AXIS = 6_378_137;
const FLATTENING = 1 / 298.257223563;
const K0 = 0.9996;
const FALSE_EASTING = 500_000;
const FALSE_NORTHING_SOUTH = 10_000_000;
const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;

const BANDS = 'CDEFGHJKLMNPQRSTUVWX';
const COLUMN_SETS = ['ABCDEFGH', 'JKLMNPQR', 'STUVWXYZ'];
const ROW_LETTERS = 'ABCDEFGHJKLMNPQRSTUV';

const N = FLATTENING / (2 - FLATTENING);
const E = Math.sqrt(FLATTENING * (2 - FLATTENING));
const n2 = N * N;
const n3 = n2 * N;
const n4 = n3 * N;
const n5 = n4 * N;
const n6 = n5 * N;
/** The rectifying radius: the meridian's length is 2πA. */
const RECTIFYING = (A_AXIS / (1 + N)) * (1 + n2 / 4 + n4 / 64 + n6 / 256);
const ALPHA = [
  N / 2 - (2 * n2) / 3 + (5 * n3) / 16 + (41 * n4) / 180 - (127 * n5) / 288 + (7891 * n6) / 37800,
  (13 * n2) / 48 - (3 * n3) / 5 + (557 * n4) / 1440 + (281 * n5) / 630 - (1983433 * n6) / 1935360,
  (61 * n3) / 240 - (103 * n4) / 140 + (15061 * n5) / 26880 + (167603 * n6) / 181440,
  (49561 * n4) / 161280 - (179 * n5) / 168 + (6601661 * n6) / 7257600,
  (34729 * n5) / 80640 - (3418889 * n6) / 1995840,
  (212378941 * n6) / 319334400,
];
const BETA = [
  N / 2 - (2 * n2) / 3 + (37 * n3) / 96 - n4 / 360 - (81 * n5) / 512 + (96199 * n6) / 604800,
  n2 / 48 + n3 / 15 - (437 * n4) / 1440 + (46 * n5) / 105 - (1118711 * n6) / 3870720,
  (17 * n3) / 480 - (37 * n4) / 840 - (209 * n5) / 4480 + (5569 * n6) / 90720,
  (4397 * n4) / 161280 - (11 * n5) / 504 - (830251 * n6) / 7257600,
  (4583 * n5) / 161280 - (108847 * n6) / 3991680,
  (20648693 * n6) / 638668800,
];

/** A grid reference that cannot be read, or a position MGRS does not cover. */
export class MgrsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MgrsError';
  }
}

/** The conformal latitude's tangent τ′ for the geodetic latitude's tangent τ. */
function conformalTangent(tau) {
  const sigma = Math.sinh(E * Math.atanh((E * tau) / Math.sqrt(1 + tau * tau)));
  return tau * Math.sqrt(1 + sigma * sigma) - sigma * Math.sqrt(1 + tau * tau);
}

/** The UTM zone of a position, with the Norway and Svalbard exceptions. */
export function utmZone(lat, lon) {
  const longitude = ((((lon + 180) % 360) + 360) % 360) - 180;
  let zone = Math.floor((longitude + 180) / 6) + 1;
  if (zone > 60) zone = 60;
  if (lat >= 56 && lat < 64 && longitude >= 3 && longitude < 12) zone = 32;
  if (lat >= 72 && lat <= 84 && longitude >= 0 && longitude < 42) {
    if (longitude < 9) zone = 31;
    else if (longitude < 21) zone = 33;
    else if (longitude < 33) zone = 35;
    else zone = 37;
  }
  return zone;
}

/** The latitude band letter (C–X) of a latitude in [-80, 84]. */
export function latitudeBand(lat) {
  if (lat < -80 || lat > 84) throw new MgrsError('MGRS covers latitudes from 80° S to 84° N');
  return BANDS[Math.min(19, Math.floor((lat + 80) / 8))];
}

/**
 * Latitude and longitude (degrees) to UTM: `{zone, hemisphere, easting, northing}` in
 * metres, in the given zone (or the position's own).
 */
export function toUtm(lat, lon, zone = utmZone(lat, lon)) {
  const centralMeridian = (zone - 1) * 6 - 180 + 3;
  let dLon = lon - centralMeridian;
  dLon = ((((dLon + 180) % 360) + 360) % 360) - 180;
  const lambda = dLon * RAD;
  const tau = Math.tan(lat * RAD);
  const tauPrime = conformalTangent(tau);
  const xiPrime = Math.atan2(tauPrime, Math.cos(lambda));
  const etaPrime = Math.asinh(Math.sin(lambda) / Math.sqrt(tauPrime * tauPrime + Math.cos(lambda) ** 2));
  let xi = xiPrime;
  let eta = etaPrime;
  for (let j = 1; j <= 6; j += 1) {
    xi += ALPHA[j - 1] * Math.sin(2 * j * xiPrime) * Math.cosh(2 * j * etaPrime);
    eta += ALPHA[j - 1] * Math.cos(2 * j * xiPrime) * Math.sinh(2 * j * etaPrime);
  }
  const easting = FALSE_EASTING + K0 * RECTIFYING * eta;
  let northing = K0 * RECTIFYING * xi;
  const hemisphere = lat < 0 ? 'S' : 'N';
  if (hemisphere === 'S') northing += FALSE_NORTHING_SOUTH;
  return { zone, hemisphere, easting, northing };
}

/** UTM (zone, `N` or `S`, metres) to `[latitude, longitude]` in degrees. */
export function fromUtm(zone, hemisphere, easting, northing) {
  const centralMeridian = (zone - 1) * 6 - 180 + 3;
  const xi = (hemisphere === 'S' ? northing - FALSE_NORTHING_SOUTH : northing) / (K0 * RECTIFYING);
  const eta = (easting - FALSE_EASTING) / (K0 * RECTIFYING);
  let xiPrime = xi;
  let etaPrime = eta;
  for (let j = 1; j <= 6; j += 1) {
    xiPrime -= BETA[j - 1] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
    etaPrime -= BETA[j - 1] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
  }
  const sinhEta = Math.sinh(etaPrime);
  const sinXi = Math.sin(xiPrime);
  const cosXi = Math.cos(xiPrime);
  const tauPrime = sinXi / Math.sqrt(sinhEta * sinhEta + cosXi * cosXi);
  // τ from τ′ by Newton's method (converges in two or three steps).
  let tau = tauPrime;
  for (let step = 0; step < 10; step += 1) {
    const candidate = conformalTangent(tau);
    const delta = ((tauPrime - candidate) / Math.sqrt(1 + candidate * candidate))
      * ((1 + (1 - E * E) * tau * tau) / ((1 - E * E) * Math.sqrt(1 + tau * tau)));
    tau += delta;
    if (Math.abs(delta) < 1e-12) break;
  }
  const lat = Math.atan(tau) * DEG;
  let lon = centralMeridian + Math.atan2(sinhEta, cosXi) * DEG;
  lon = ((((lon + 180) % 360) + 360) % 360) - 180;
  return [lat, lon];
}

/** The column letters of a zone's 100 km squares (sets 1 to 6 repeat every six zones). */
function columnLetters(zone) {
  return COLUMN_SETS[(zone - 1) % 3];
}

/** Row letters start at F in even zones. */
function rowOffset(zone) {
  return zone % 2 === 0 ? 5 : 0;
}

/**
 * A position as an MGRS reference, `37S FT 14760 07283` at `digits` = 5 (1 m); the
 * digits are truncated, as MGRS references name the square the point is in.
 */
export function toMgrs(lat, lon, digits = 5) {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) throw new MgrsError('not a position');
  const band = latitudeBand(lat);
  const { zone, easting, northing } = toUtm(lat, lon);
  const column = Math.floor(easting / 100_000);
  const columnLetter = columnLetters(zone)[column - 1];
  if (!columnLetter) throw new MgrsError('the position is outside its UTM zone');
  const rowLetter = ROW_LETTERS[(Math.floor(northing / 100_000) + rowOffset(zone)) % 20];
  const unit = 10 ** (5 - digits);
  const format = (value) => String(Math.floor((value % 100_000) / unit)).padStart(digits, '0');
  const grid = digits > 0 ? ` ${format(easting)} ${format(northing)}` : '';
  return `${zone}${band} ${columnLetter}${rowLetter}${grid}`;
}

const PATTERN = /^(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z])\s*([A-HJ-NP-V])\s*(\d*)\s*(\d*)$/i;

/** Whether a text looks like an MGRS reference (it may still be wrong). */
export function looksLikeMgrs(text) {
  return PATTERN.test(String(text).trim().replace(/\s+/g, ' '));
}

/**
 * An MGRS reference to the `[latitude, longitude]` of its square's centre (for 1 m
 * digits, within half a metre of the point meant). Spaces are optional:
 * `37SFT1476007283` reads as well. Throws MgrsError saying what is wrong.
 */
export function fromMgrs(text) {
  const match = PATTERN.exec(String(text).trim().replace(/\s+/g, ' '));
  if (!match) throw new MgrsError('not an MGRS reference (such as 37S FT 14760 07283)');
  const zone = Number(match[1]);
  const band = match[2].toUpperCase();
  const columnLetter = match[3].toUpperCase();
  const rowLetter = match[4].toUpperCase();
  let eastingDigits = match[5];
  let northingDigits = match[6];
  if (!northingDigits && eastingDigits.length % 2 === 0) {
    // Digits without a space between easting and northing.
    northingDigits = eastingDigits.slice(eastingDigits.length / 2);
    eastingDigits = eastingDigits.slice(0, eastingDigits.length / 2);
  }
  if (zone < 1 || zone > 60) throw new MgrsError(`zone ${zone} does not exist (1 to 60)`);
  if (eastingDigits.length !== northingDigits.length || eastingDigits.length > 5) {
    throw new MgrsError('the easting and northing need as many digits each (up to 5)');
  }
  if (band === 'X' && [32, 34, 36].includes(zone)) throw new MgrsError(`zone ${zone}X is not used (Svalbard's zones are 31X, 33X, 35X, 37X)`);
  const column = columnLetters(zone).indexOf(columnLetter);
  if (column < 0) throw new MgrsError(`column letter ${columnLetter} is not used in zone ${zone}`);
  const row = ROW_LETTERS.indexOf(rowLetter);
  const digits = eastingDigits.length;
  const unit = 10 ** (5 - digits);
  const half = digits > 0 ? unit / 2 : 50_000;
  const easting = (column + 1) * 100_000 + (digits ? Number(eastingDigits) * unit : 0) + half;
  const northingInSquare = (digits ? Number(northingDigits) * unit : 0) + half;
  const rowNorthing = (((row - rowOffset(zone)) % 20) + 20) % 20 * 100_000;

  // The band's southern edge, as a northing: the lowest northing the band reaches in
  // this zone (at the central meridian in the north, at the zone's edge in the south).
  const bandIndex = BANDS.indexOf(band);
  const southLat = -80 + bandIndex * 8;
  const hemisphere = band >= 'N' ? 'N' : 'S';
  const centralMeridian = (zone - 1) * 6 - 180 + 3;
  const edgeNorthing = (lat, lon) => {
    const { northing } = toUtm(lat, lon, zone);
    return hemisphere === 'N' && lat < 0 ? northing - FALSE_NORTHING_SOUTH : northing;
  };
  const southEdge = Math.min(edgeNorthing(southLat, centralMeridian), edgeNorthing(southLat, centralMeridian + 3));
  // The 100 km row letters repeat every 2,000 km: take the repetition in the band.
  let northing = rowNorthing;
  while (northing + 100_000 <= southEdge) northing += 2_000_000;
  northing += northingInSquare;
  const [lat, lon] = fromUtm(zone, hemisphere, easting, northing);
  const tolerance = 0.5;
  const northLat = band === 'X' ? 84 : southLat + 8;
  if (lat < southLat - tolerance || lat > northLat + tolerance) {
    throw new MgrsError(`square ${columnLetter}${rowLetter} is not in latitude band ${band} of zone ${zone}`);
  }
  return [lat, lon];
}
