#!/usr/bin/env python3
"""Generate the independent reference fixture for the DeconflictGeometry tests.

The output, ``Tests/DeconflictGeometryTests/Fixtures/reference-cases.jsonl``,
is a JSON Lines file with one test case per line.  Every case is computed with
libraries that share no code with the Swift implementation's geometry layer
(geographiclib for ellipsoidal geodesics, Google's S2 Python bindings for
spherical polygon containment, spherely and numpy for spherical distances used
as rigorous bounds and for cross-checks).  The Swift test-suite loads the file
and requires the Swift geometry code to agree with it everywhere except within
0.5 m of a zone boundary: disagreements about points, entry times or approach
times that lie within 0.5 m of a boundary are accepted by the tests.

How to run (from the repository root)::

    python3 -m venv .venv-reference
    .venv-reference/bin/pip install -r scripts/reference/requirements.txt
    .venv-reference/bin/python scripts/reference/generate_reference.py

Options: ``--seed`` (default 20261125), ``--out`` (default the fixture path
above, resolved relative to the repository root), ``--workers`` (default 2).
The output is deterministic: the same seed gives byte-identical output for any
number of workers (each case draws from its own ``random.Random`` seeded from
``(seed, kind, category, index)``, and results are written in task order).

Conventions (these are the product's definitions)
--------------------------------------------------
* Coordinates are WGS84 degrees written as ``[lat, lon]`` (latitude first),
  longitudes in [-180, 180].
* Distances are ellipsoidal geodesic distances on WGS84
  (``Geodesic.WGS84.Inverse`` -> ``s12``, ``azi1``, ``azi2``).
* Circle zone: centre and radius r in metres; a point is inside iff its
  geodesic distance s to the centre satisfies s <= r.  Signed distance to the
  boundary is s - r (negative inside).
* Polygon zone: rings of vertices, not closed (the first vertex is not
  repeated).  Edges are great-circle arcs between the unit vectors obtained by
  treating geodetic latitude/longitude as spherical coordinates (what
  ``S2LatLng.ToPoint()`` does).  The first ring is the outer ring, further
  rings are holes.  Ring orientation is irrelevant: every ring encloses the
  smaller of the two regions it bounds (all polygons lie well inside a
  hemisphere).  Membership comes from S2 (one normalized ``S2Loop`` per ring,
  combined with ``S2Polygon.InitNested``).
* Distance from a point to a polygon boundary: the minimum over all edges of
  the ellipsoidal geodesic distance from the point to the points of the
  great-circle arc (arc point at parameter t = normalized slerp of the two
  vertex unit vectors, converted back with lat = atan2(z, hypot(x, y)),
  lon = atan2(y, x)).  Edges are pruned with rigorous spherical bounds
  (ellipsoidal / spherical-angle ratio lies in [6335439, 6399594] metres per
  radian), each remaining edge is sampled at 65 points and the best sample is
  refined by golden-section search to better than 2 micrometres along the arc.
  Signed distance is -d inside (S2) and +d outside.
* A moving unit has a start position, a course (initial azimuth, degrees
  clockwise from north, written normalized to [0, 360)) and a speed in m/s; it
  moves along the ellipsoidal geodesic at constant speed:
  position(t) = ``Geodesic.WGS84.Direct(lat, lon, course, speed * t)``.
* ETA: earliest t in [0, horizon] at which the unit is inside the zone (0 if
  it starts inside), or null if never within the horizon.
* Closest approach of two units that both start at time 0: the t in
  [0, horizon] minimizing the geodesic distance between their positions.

Case kinds (every line has "kind" and a sequential integer "id")
----------------------------------------------------------------
``distance``
    ``a``, ``b``, ``meters`` (s12), ``azi1``, ``azi2`` and
    ``azimuthsWellDefined``: false when an endpoint is at a pole, the points
    coincide, or the pair is so close to conjugate (nearly antipodal with
    reduced length |m12| < 10 km) that azimuths are ill-conditioned.  Distances
    are always well defined.
``circle``
    ``center``, ``radius``, ``point``, ``distance`` (s12 centre -> point),
    ``inside``, ``signedDistance`` (= distance - radius).
``polygon``
    ``rings``, ``point``, ``inside`` (S2), ``signedDistance`` (ellipsoidal,
    sign from S2).  It is computed for every polygon, including the ones with
    about 200 vertices, so it is never null.
``eta``
    ``zone`` (``{"circle": {"center", "radius"}}`` or
    ``{"polygon": {"rings"}}``), ``start``, ``course``, ``speed``, ``horizon``,
    ``eta`` (seconds or null), ``tolerance`` (seconds) and ``ambiguous``.
    The entry time is found by a sampler that can never step over the zone:
    from time t the unit cannot be inside before t + L/speed, where L is a
    rigorous lower bound of its distance to the zone (exact for circles,
    6335439 m/rad times the spherical angle minus 1 mm for polygons), with a
    minimum step of 0.2 m of travel; the entry is then bisected to 1e-6 s with
    the exact membership test.  A visit that enters and leaves the zone within
    less than 0.2 m of travel can be missed; such a visit is less than 0.2 m
    deep and is covered by the ambiguity rule below.
    ``tolerance`` = max(0.002, 0.5 / rate, eta - t_lo, t_hi - eta) where rate
    is the absolute rate of change of the signed boundary distance at the entry
    (central difference over +-5 cm of travel), t_lo is the first time the
    signed distance is <= +0.5 m and t_hi the first time it is <= -0.5 m.  Any
    membership test that agrees with the reference except within 0.5 m of the
    boundary yields an entry time in [t_lo, t_hi], so the last two terms make
    the tolerance exact where the path is curved or grazes the boundary before
    entering.  For eta == 0 the rate term is omitted.
    ``ambiguous`` is true when eta is null and the path comes within 1 m of
    the boundary within the horizon, when eta is not null and the path never
    gets 1 m deep within the horizon, or when eta > 0 and rate < 0.05 m/s.
``approach``
    ``a`` and ``b`` (``start``, ``course``, ``speed``), ``horizon``, ``time``,
    ``distance`` and ``timeTolerance``.  The minimum is located by 2001 samples
    over [0, horizon], and the best local minima are refined by golden-section
    search to below 1e-6 s.  ``timeTolerance`` is the largest distance from
    ``time`` to a time at which the separation is still within 0.01 m of the
    minimum (bisection on each side, clamped to [0, horizon], and any other
    sample within 0.01 m of the minimum), plus 1e-3 s.

Before writing, the script re-checks a sample of the cases (membership signs,
spherical distances against spherely, positions at the entry time, that no
sample before a non-ambiguous entry time is inside, that no sampled separation
undercuts the reported closest approach) and exits with an error if any check
fails.
"""

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import s2geometry as s2
import spherely
from geographiclib.geodesic import Geodesic

GEOD = Geodesic.WGS84
LATLON = Geodesic.LATITUDE | Geodesic.LONGITUDE
DIST = Geodesic.DISTANCE

SPHERE_R = 6371008.8          # mean radius used for spherical pruning and estimates
SPHERELY_R = 6371010.0        # spherely's default radius
MIN_M_PER_RAD = 6335439.0     # <= a (1 - e^2): ellipsoidal / spherical-angle lower bound
MAX_M_PER_RAD = 6399594.0     # >= a / sqrt(1 - e^2): upper bound
BOUND_MARGIN = 1e-3           # metres of slack on the spherical bounds

DEFAULT_SEED = 20261125
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "Tests" / "DeconflictGeometryTests" / "Fixtures" / "reference-cases.jsonl"

AT_TANF = (33.5, 38.65)
AT_TANF_RADIUS = 55000.0

MAX_STEPS = 400000            # safety cap for the conservative ETA sampler
ETA_BISECT_TOL = 1e-6         # seconds
BAND_BISECT_TOL = 1e-5        # seconds, for the +-0.5 m band crossings
APPROACH_SAMPLES = 2000       # intervals; 2001 samples
APPROACH_TOL = 5e-7           # seconds


class StepLimit(Exception):
    pass


# ---------------------------------------------------------------------------
# Small numeric helpers
# ---------------------------------------------------------------------------

def loguniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def uniform_sphere(rng):
    return math.degrees(math.asin(rng.uniform(-1.0, 1.0))), rng.uniform(-180.0, 180.0)


def norm_course(c):
    c = math.fmod(c, 360.0)
    if c < 0:
        c += 360.0
    if c >= 360.0:
        c = 0.0
    return c


def norm_lon(lon):
    lon = math.fmod(lon + 180.0, 360.0)
    if lon < 0:
        lon += 360.0
    return lon - 180.0


def direct(lat, lon, azi, s):
    r = GEOD.Direct(lat, lon, azi, s, LATLON)
    return r["lat2"], r["lon2"]


def inverse_s(lat1, lon1, lat2, lon2):
    return GEOD.Inverse(lat1, lon1, lat2, lon2, DIST)["s12"]


def to_unit(lat, lon):
    la = math.radians(lat)
    lo = math.radians(lon)
    c = math.cos(la)
    return (c * math.cos(lo), c * math.sin(lo), math.sin(la))


def from_unit(x, y, z):
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def unit_angle(u, v):
    cx = u[1] * v[2] - u[2] * v[1]
    cy = u[2] * v[0] - u[0] * v[2]
    cz = u[0] * v[1] - u[1] * v[0]
    return math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), u[0] * v[0] + u[1] * v[1] + u[2] * v[2])


def golden_min(f, a, b, tol, max_iter=300):
    """Golden-section search on [a, b]; returns (x, f(x)) of the best evaluated point."""
    invphi = (math.sqrt(5.0) - 1.0) / 2.0
    c = b - invphi * (b - a)
    d = a + invphi * (b - a)
    fc = f(c)
    fd = f(d)
    it = 0
    while b - a > tol and it < max_iter:
        it += 1
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - invphi * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + invphi * (b - a)
            fd = f(d)
    return (c, fc) if fc <= fd else (d, fd)


def bisect_first(pred, lo, hi, tol):
    """pred(lo) is False and pred(hi) is True; return a time within tol after a switch, with pred True."""
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


# ---------------------------------------------------------------------------
# Zones
# ---------------------------------------------------------------------------

class CircleZone:
    def __init__(self, center, radius):
        self.center = center
        self.radius = radius

    def signed(self, lat, lon):
        return inverse_s(self.center[0], self.center[1], lat, lon) - self.radius

    def contains(self, lat, lon):
        return self.signed(lat, lon) <= 0.0

    def state(self, lat, lon):
        f = self.signed(lat, lon)
        return f <= 0.0, f, f

    def to_json(self):
        return {"circle": {"center": [self.center[0], self.center[1]], "radius": self.radius}}


class PolygonZone:
    """Great-circle polygon with S2 membership and ellipsoidal boundary distance."""

    def __init__(self, rings):
        self.rings = [[(float(a), float(b)) for a, b in ring] for ring in rings]
        self.valid = False
        loops = []
        for ring in self.rings:
            if len(ring) < 3:
                return
            loop = s2.S2Loop([s2.S2LatLng.FromDegrees(a, b).ToPoint() for a, b in ring])
            if not loop.IsValid():
                return
            loop.Normalize()
            loops.append(loop)
        poly = s2.S2Polygon()
        poly.InitNested(loops)
        if not poly.IsValid() or poly.num_loops() != len(self.rings):
            return
        holes = sum(1 for i in range(poly.num_loops()) if poly.loop(i).is_hole())
        if holes != len(self.rings) - 1 or poly.loop(0).is_hole():
            return
        self.poly = poly
        a_list, b_list, nxt = [], [], []
        base = 0
        for ring in self.rings:
            n = len(ring)
            units = [to_unit(a, b) for a, b in ring]
            for i in range(n):
                a_list.append(units[i])
                b_list.append(units[(i + 1) % n])
                nxt.append(base + (i + 1) % n)
            base += n
        self.A = np.array(a_list)
        self.B = np.array(b_list)
        self.next_index = np.array(nxt)
        # (A - B) x (A + B) = 2 A x B without the cancellation of a direct
        # cross product of nearly parallel vectors (short edges).
        cr = np.cross(self.A - self.B, self.A + self.B)
        crn = np.linalg.norm(cr, axis=1)
        if np.any(crn <= 0.0):
            return
        self.N = cr / crn[:, None]
        self.NA = np.cross(self.N, self.A)
        self.BN = np.cross(self.B, self.N)
        chord_ab = np.linalg.norm(self.A - self.B, axis=1)
        self.omega = 2.0 * np.arcsin(np.minimum(chord_ab * 0.5, 1.0))
        self.A_t = [tuple(v) for v in a_list]
        self.B_t = [tuple(v) for v in b_list]
        self.N_t = [tuple(v) for v in self.N.tolist()]
        self.valid = True

    # -- membership -------------------------------------------------------
    def contains(self, lat, lon):
        return bool(self.poly.Contains(s2.S2LatLng.FromDegrees(lat, lon).ToPoint()))

    # -- spherical distances (radians) ------------------------------------
    def arc_angles(self, lat, lon):
        p = np.array(to_unit(lat, lon))
        diff = p - self.A
        # A . N = 0, so (p - A) . N is p . N without cancellation near the arc.
        pn = np.einsum("ij,ij->i", diff, self.N)
        within = (self.NA @ p >= 0.0) & (self.BN @ p >= 0.0)
        perp = np.arcsin(np.minimum(np.abs(pn), 1.0))
        chord = np.sqrt(np.sum(diff * diff, axis=1))
        dv = 2.0 * np.arcsin(np.minimum(chord * 0.5, 1.0))
        ends = np.minimum(dv, dv[self.next_index])
        return np.where(within, np.minimum(perp, ends), ends)

    def state(self, lat, lon):
        inside = self.contains(lat, lon)
        ang = float(self.arc_angles(lat, lon).min())
        lo = ang * MIN_M_PER_RAD - BOUND_MARGIN
        hi = ang * MAX_M_PER_RAD + BOUND_MARGIN
        if inside:
            return True, -hi, -lo
        return False, lo, hi

    # -- ellipsoidal distance to the boundary -------------------------------
    def arc_point(self, e, t):
        a = self.A_t[e]
        b = self.B_t[e]
        om = float(self.omega[e])
        s = math.sin(om)
        w1 = math.sin((1.0 - t) * om) / s
        w2 = math.sin(t * om) / s
        x = w1 * a[0] + w2 * b[0]
        y = w1 * a[1] + w2 * b[1]
        z = w1 * a[2] + w2 * b[2]
        n = math.sqrt(x * x + y * y + z * z)
        return from_unit(x / n, y / n, z / n)

    def edge_distance(self, e, lat, lon):
        om = float(self.omega[e])
        ts = np.linspace(0.0, 1.0, 65)
        s = math.sin(om)
        w1 = np.sin((1.0 - ts) * om) / s
        w2 = np.sin(ts * om) / s
        pts = w1[:, None] * self.A[e][None, :] + w2[:, None] * self.B[e][None, :]
        pts /= np.linalg.norm(pts, axis=1)[:, None]
        lats = np.degrees(np.arctan2(pts[:, 2], np.hypot(pts[:, 0], pts[:, 1])))
        lons = np.degrees(np.arctan2(pts[:, 1], pts[:, 0]))
        ds = [GEOD.Inverse(lat, lon, float(la), float(lo), DIST)["s12"] for la, lo in zip(lats, lons)]
        k = int(np.argmin(ds))
        best = ds[k]
        lo_t = float(ts[max(k - 1, 0)])
        hi_t = float(ts[min(k + 1, 64)])
        arc_len = max(om * SPHERE_R, 1e-9)
        tol = 2e-6 / arc_len

        def f(t):
            la, lo = self.arc_point(e, t)
            return GEOD.Inverse(lat, lon, la, lo, DIST)["s12"]

        if hi_t - lo_t > tol:
            _, d = golden_min(f, lo_t, hi_t, tol)
            best = min(best, d)
        return best

    def boundary_distance(self, lat, lon):
        ang = self.arc_angles(lat, lon)
        lower = ang * MIN_M_PER_RAD - BOUND_MARGIN
        upper = ang * MAX_M_PER_RAD + BOUND_MARGIN
        limit = float(upper.min())
        cand = np.nonzero(lower <= limit)[0]
        cand = cand[np.argsort(lower[cand], kind="stable")]
        best = math.inf
        for e in cand:
            if lower[e] > best:
                break
            best = min(best, self.edge_distance(int(e), lat, lon))
        return best

    def signed(self, lat, lon):
        d = self.boundary_distance(lat, lon)
        return -d if self.contains(lat, lon) else d

    def to_json(self):
        return {"polygon": {"rings": rings_json(self.rings)}}


def rings_json(rings):
    return [[[float(a), float(b)] for a, b in ring] for ring in rings]


# ---------------------------------------------------------------------------
# Polygon construction
# ---------------------------------------------------------------------------

def star_azimuths(rng, n):
    limit = 120.0 if n >= 4 else 150.0
    while True:
        w = [rng.expovariate(1.0) for _ in range(n)]
        total = sum(w)
        gaps = [360.0 * x / total for x in w]
        if max(gaps) < limit:
            break
    acc = rng.uniform(0.0, 360.0)
    out = []
    for g in gaps:
        out.append(acc)
        acc += g
    return [norm_course(a) for a in out]


def star_ring(rng, center, n, rmin, rmax):
    ring = []
    for az in star_azimuths(rng, n):
        ring.append(direct(center[0], center[1], az, rng.uniform(rmin, rmax)))
    if rng.random() < 0.5:
        ring.reverse()
    return ring


def make_polygon(rng, center, R, n, hole_prob, rejects):
    """Star-shaped polygon around center with optional holes; None if S2 rejects it."""
    outer = star_ring(rng, center, n, 0.5 * R, R)
    outer_zone = PolygonZone([outer])
    if not outer_zone.valid:
        rejects["polygon: invalid outer ring"] += 1
        return None
    rings = [outer]
    if rng.random() < hole_prob:
        k = 1 if rng.random() < 0.6 else 2
        caps = []
        for _ in range(k):
            placed = False
            for _attempt in range(30):
                if not caps and rng.random() < 0.5:
                    p = center
                else:
                    p = direct(center[0], center[1], rng.uniform(0.0, 360.0), rng.uniform(0.15, 0.55) * R)
                if not outer_zone.contains(*p):
                    continue
                pu = to_unit(*p)
                room = float(outer_zone.arc_angles(*p).min()) * SPHERE_R
                for q, rq in caps:
                    room = min(room, unit_angle(pu, q) * SPHERE_R - rq)
                rho_max = min(0.3 * R, 0.85 * room)
                if rho_max < 0.12 * R:
                    continue
                hole = star_ring(rng, p, rng.randint(3, 12), 0.1 * R, rho_max)
                rq = max(unit_angle(pu, to_unit(*v)) for v in hole) * SPHERE_R
                rings.append(hole)
                caps.append((pu, rq))
                placed = True
                break
            if not placed:
                rejects["polygon: hole did not fit (skipped)"] += 1
    zone = PolygonZone(rings)
    if not zone.valid:
        rejects["polygon: invalid polygon"] += 1
        return None
    return zone


def polygon_zone_for(rng, category, rejects, r_lo=50.0, r_hi=1.5e6):
    """Draw (zone, center, R) for a polygon category, redrawing until S2 accepts it."""
    while True:
        n = rng.randint(3, 40)
        R = loguniform(rng, r_lo, r_hi)
        if category == "global":
            center = uniform_sphere(rng)
        elif category == "polar":
            pole = 90.0 if rng.random() < 0.5 else -90.0
            R = loguniform(rng, max(r_lo, 2e4), r_hi)
            if rng.random() < 0.1:
                center = (pole, rng.uniform(-180.0, 180.0))
            else:
                center = direct(pole, 0.0, rng.uniform(0.0, 360.0), rng.uniform(0.0, 0.2) * R)
        elif category == "antimeridian":
            R = loguniform(rng, max(r_lo, 1e3), min(r_hi, 1e6))
            lon = rng.uniform(179.0, 180.0) * (1.0 if rng.random() < 0.5 else -1.0)
            if rng.random() < 0.1:
                lon = 180.0 if rng.random() < 0.5 else -180.0
            center = (rng.uniform(-70.0, 70.0), lon)
        elif category == "tiny":
            R = loguniform(rng, 50.0, 300.0)
            center = uniform_sphere(rng)
        elif category == "many":
            n = rng.randint(180, 220)
            R = loguniform(rng, max(r_lo, 1e3), r_hi)
            center = uniform_sphere(rng)
        else:
            raise ValueError(category)
        zone = make_polygon(rng, center, R, n, 0.25, rejects)
        if zone is not None:
            return zone, center, R


def arc_azimuth(zone, e, t):
    """Point at parameter t on edge e and the great-circle azimuth (towards B) there."""
    lat, lon = zone.arc_point(e, t)
    p = to_unit(lat, lon)
    nv = zone.N_t[e]
    tx = nv[1] * p[2] - nv[2] * p[1]
    ty = nv[2] * p[0] - nv[0] * p[2]
    tz = nv[0] * p[1] - nv[1] * p[0]
    la = math.radians(lat)
    lo = math.radians(lon)
    east = (-math.sin(lo), math.cos(lo), 0.0)
    north = (-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la))
    te = tx * east[0] + ty * east[1] + tz * east[2]
    tn = tx * north[0] + ty * north[1] + tz * north[2]
    return lat, lon, math.degrees(math.atan2(te, tn))


# ---------------------------------------------------------------------------
# Moving units
# ---------------------------------------------------------------------------

class Track:
    def __init__(self, start, course, speed):
        self.start = start
        self.course = course
        self.speed = speed
        self.line = GEOD.Line(start[0], start[1], course)

    def at(self, t):
        r = self.line.Position(self.speed * t, LATLON)
        return r["lat2"], r["lon2"]

    def to_json(self):
        return {"start": [self.start[0], self.start[1]], "course": self.course, "speed": self.speed}


def first_time(zone, track, t0, t1, level):
    """Conservative sampler: first sampled time in [t0, t1] with f <= level.

    level None means the exact membership test.  Returns (t_prev, t_hit);
    t_hit is None when nothing was found, t_prev is None when t0 itself hits.
    """
    speed = track.speed
    dt_min = 0.2 / speed
    t = t0
    t_prev = None
    steps = 0
    while True:
        lat, lon = track.at(t)
        inside, flb, fub = zone.state(lat, lon)
        if level is None:
            hit = inside
            gap = flb
        elif fub <= level:
            hit = True
            gap = 0.0
        elif flb > level:
            hit = False
            gap = flb - level
        else:
            f = zone.signed(lat, lon)
            hit = f <= level
            gap = f - level
        if hit:
            return t_prev, t
        if t >= t1:
            return t, None
        steps += 1
        if steps > MAX_STEPS:
            raise StepLimit()
        t_prev = t
        t = min(t1, t + max(dt_min, gap / speed))


def crossing(zone, track, t0, t1, level, tol):
    """First time in [t0, t1] with signed distance <= level, refined; None if none."""
    prev, hit = first_time(zone, track, t0, t1, level)
    if hit is None:
        return None
    if prev is None:
        return hit
    return bisect_first(lambda t: zone.signed(*track.at(t)) <= level, prev, hit, tol)


def compute_eta(zone, track, horizon):
    prev, hit = first_time(zone, track, 0.0, horizon, None)
    if hit is None:
        eta = None
    elif prev is None:
        eta = 0.0
    else:
        eta = bisect_first(lambda t: zone.contains(*track.at(t)), prev, hit, ETA_BISECT_TOL)

    f = lambda t: zone.signed(*track.at(t))
    rate = None
    if eta is None:
        near = first_time(zone, track, 0.0, horizon, 1.0)[1] is not None
        return {"eta": None, "tolerance": 0.002, "ambiguous": near}, {"rate": None}

    t_lo = 0.0 if eta == 0.0 else crossing(zone, track, 0.0, eta, 0.5, BAND_BISECT_TOL)
    if t_lo is None:
        t_lo = eta
    t_hi = crossing(zone, track, eta, horizon, -0.5, BAND_BISECT_TOL)
    deep_start = eta if t_hi is None else t_hi
    deep = t_hi is not None and first_time(zone, track, deep_start, horizon, -1.0)[1] is not None

    tol = 0.002
    if eta > 0.0:
        h = 0.05 / track.speed
        if eta - h >= 0.0:
            rate = abs(f(eta + h) - f(eta - h)) / (2.0 * h)
        else:
            rate = abs(f(eta + 2.0 * h) - f(eta)) / (2.0 * h)
        tol = max(tol, 0.5 / rate if rate > 0 else math.inf)
    tol = max(tol, eta - t_lo + BAND_BISECT_TOL)
    if t_hi is not None:
        tol = max(tol, t_hi - eta + BAND_BISECT_TOL)
    ambiguous = (not deep) or (rate is not None and rate < 0.05)
    if not math.isfinite(tol):
        tol = horizon
    return {"eta": eta, "tolerance": tol, "ambiguous": ambiguous}, {"rate": rate}


def compute_approach(ta, tb, horizon):
    def D(t):
        a = ta.at(t)
        b = tb.at(t)
        return GEOD.Inverse(a[0], a[1], b[0], b[1], DIST)["s12"]

    n = APPROACH_SAMPLES
    ts = [horizon * i / n for i in range(n + 1)]
    ds = [D(t) for t in ts]
    best_i = min(range(n + 1), key=lambda i: ds[i])
    best_t, best_d = ts[best_i], ds[best_i]
    minima = [i for i in range(n + 1)
              if (i == 0 or ds[i] <= ds[i - 1]) and (i == n or ds[i] <= ds[i + 1])]
    minima.sort(key=lambda i: (ds[i], i))
    for i in minima[:6]:
        lo = ts[max(i - 1, 0)]
        hi = ts[min(i + 1, n)]
        t, d = golden_min(D, lo, hi, APPROACH_TOL)
        if d < best_d:
            best_t, best_d = t, d

    thr = best_d + 0.01

    def edge(direction):
        bound = horizon if direction > 0 else 0.0
        if best_t == bound:
            return bound
        inner = best_t
        step = 1e-3
        while True:
            t = best_t + direction * step
            if (direction > 0 and t >= bound) or (direction < 0 and t <= bound):
                if D(bound) <= thr:
                    return bound
                outer = bound
                break
            if D(t) > thr:
                outer = t
                break
            inner = t
            step *= 2.0
        # D(inner) <= thr < D(outer)
        while abs(outer - inner) > 1e-6:
            mid = 0.5 * (inner + outer)
            if D(mid) <= thr:
                inner = mid
            else:
                outer = mid
        return outer

    left = edge(-1)
    right = edge(+1)
    half = max(best_t - left, right - best_t)
    for t, d in zip(ts, ds):
        if d <= thr:
            half = max(half, abs(t - best_t))
    return best_t, best_d, half + 1e-3


# ---------------------------------------------------------------------------
# Case generators
# ---------------------------------------------------------------------------

def gen_distance(rng, category, rejects):
    if category == "global":
        a = uniform_sphere(rng)
        b = uniform_sphere(rng)
    elif category == "short":
        a = uniform_sphere(rng)
        b = direct(a[0], a[1], rng.uniform(0.0, 360.0), loguniform(rng, 1.0, 1e4))
    elif category == "antimeridian":
        lat = rng.uniform(-80.0, 80.0)
        lon = rng.uniform(179.0, 180.0)
        if rng.random() < 0.1:
            lon = 180.0
        if rng.random() < 0.5:
            lon = -lon
        a = (lat, lon)
        if rng.random() < 0.5:
            lon_b = -math.copysign(rng.uniform(179.0, 180.0), lon)
            if rng.random() < 0.1:
                lon_b = -math.copysign(180.0, lon)
            b = (max(-90.0, min(90.0, lat + rng.uniform(-5.0, 5.0))), lon_b)
        else:
            az = rng.uniform(20.0, 160.0) if lon > 0 else rng.uniform(200.0, 340.0)
            b = direct(lat, lon, az, loguniform(rng, 10.0, 5e5))
    elif category == "polar":
        pole = 90.0 if rng.random() < 0.5 else -90.0
        sgn = 1.0 if pole > 0 else -1.0
        u = rng.random()
        if u < 0.4:
            a = (sgn * rng.uniform(89.0, 90.0), rng.uniform(-180.0, 180.0))
            b = (sgn * rng.uniform(89.0, 90.0), rng.uniform(-180.0, 180.0))
        elif u < 0.75:
            a = (pole, rng.uniform(-180.0, 180.0))
            if rng.random() < 0.5:
                b = (sgn * rng.uniform(80.0, 90.0), rng.uniform(-180.0, 180.0))
            else:
                b = uniform_sphere(rng)
            if rng.random() < 0.5:
                a, b = b, a
        elif u < 0.85:
            lon = rng.uniform(-180.0, 180.0)
            la = sgn * rng.uniform(89.0, 89.999999)
            a = (la, lon)
            b = (la, norm_lon(lon + 180.0))
        elif u < 0.95:
            a = (pole, rng.uniform(-180.0, 180.0))
            b = (-pole, rng.uniform(-180.0, 180.0))
        else:
            a = (pole, rng.uniform(-180.0, 180.0))
            b = (pole, rng.uniform(-180.0, 180.0))
    elif category == "antipodal":
        if rng.random() < 0.25:
            a = (0.0, rng.uniform(-180.0, 180.0))
        else:
            a = uniform_sphere(rng)
        dlat = math.copysign(loguniform(rng, 1e-6, 1.0), rng.random() - 0.5)
        dlon = math.copysign(loguniform(rng, 1e-6, 1.0), rng.random() - 0.5)
        if rng.random() < 0.15:
            dlat = 0.0
        lat_b = max(-90.0, min(90.0, -a[0] + dlat))
        b = (lat_b, norm_lon(a[1] + 180.0 + dlon))
    elif category == "equatorial":
        if rng.random() < 0.5:
            a = (0.0, rng.uniform(-180.0, 180.0))
            b = (0.0, rng.uniform(-180.0, 180.0))
        else:
            a = (rng.uniform(-0.01, 0.01), rng.uniform(-180.0, 180.0))
            b = (rng.uniform(-0.01, 0.01), rng.uniform(-180.0, 180.0))
    else:
        raise ValueError(category)
    r = GEOD.Inverse(a[0], a[1], b[0], b[1], Geodesic.STANDARD | Geodesic.REDUCEDLENGTH)
    at_pole = abs(a[0]) >= 90.0 - 1e-9 or abs(b[0]) >= 90.0 - 1e-9
    well = not at_pole and r["s12"] > 1e-6 and not (r["s12"] > 1e7 and abs(r["m12"]) < 1e4)
    return {"a": [a[0], a[1]], "b": [b[0], b[1]], "meters": r["s12"], "azi1": r["azi1"],
            "azi2": r["azi2"], "azimuthsWellDefined": well}


def circle_center(rng, category):
    if category == "global":
        return uniform_sphere(rng), loguniform(rng, 100.0, 2e6)
    if category == "polar":
        pole = 90.0 if rng.random() < 0.5 else -90.0
        sgn = 1.0 if pole > 0 else -1.0
        u = rng.random()
        if u < 0.1:
            return (pole, rng.uniform(-180.0, 180.0)), loguniform(rng, 100.0, 2e6)
        if u < 0.55:
            return (sgn * rng.uniform(80.0, 90.0), rng.uniform(-180.0, 180.0)), loguniform(rng, 100.0, 2e6)
        c = (sgn * rng.uniform(85.0, 90.0), rng.uniform(-180.0, 180.0))
        dp = inverse_s(c[0], c[1], pole, 0.0)
        r = min(2e6, max(100.0, dp * rng.uniform(1.05, 4.0)))
        if r <= dp:
            r = min(2e6, dp * 1.05 + 100.0)
        return c, r
    if category == "antimeridian":
        lon = rng.uniform(179.0, 180.0)
        if rng.random() < 0.1:
            lon = 180.0
        if rng.random() < 0.5:
            lon = -lon
        return (rng.uniform(-75.0, 75.0), lon), loguniform(rng, 100.0, 2e6)
    if category == "attanf":
        return AT_TANF, AT_TANF_RADIUS
    raise ValueError(category)


def gen_circle(rng, category, rejects):
    center, r = circle_center(rng, category)
    az = rng.uniform(0.0, 360.0)
    if rng.random() < 0.4:
        delta = math.copysign(loguniform(rng, 0.001, 50.0), rng.random() - 0.5)
        point = direct(center[0], center[1], az, r + delta)
    else:
        point = direct(center[0], center[1], az, 2.0 * r * math.sqrt(rng.random()))
    s = inverse_s(center[0], center[1], point[0], point[1])
    return {"center": [center[0], center[1]], "radius": r, "point": [point[0], point[1]],
            "distance": s, "inside": s <= r, "signedDistance": s - r}


def polygon_point(rng, zone, center, rings):
    if rng.random() < 0.4:
        delta = loguniform(rng, 0.001, 50.0)
        ri = rng.randrange(len(rings))
        if rng.random() < 0.1:
            v = rings[ri][rng.randrange(len(rings[ri]))]
            return direct(v[0], v[1], rng.uniform(0.0, 360.0), delta)
        offset = sum(len(rg) for rg in rings[:ri])
        e = offset + rng.randrange(len(rings[ri]))
        lat, lon, azi = arc_azimuth(zone, e, rng.random())
        side = 90.0 if rng.random() < 0.5 else -90.0
        return direct(lat, lon, norm_course(azi + side), delta)
    cap = 1.15 * max(inverse_s(center[0], center[1], a, b) for a, b in rings[0])
    return direct(center[0], center[1], rng.uniform(0.0, 360.0), cap * math.sqrt(rng.random()))


def gen_polygon(rng, category, rejects):
    zone, center, _R = polygon_zone_for(rng, category, rejects)
    point = polygon_point(rng, zone, center, zone.rings)
    inside = zone.contains(*point)
    d = zone.boundary_distance(*point)
    return {"rings": rings_json(zone.rings), "point": [point[0], point[1]], "inside": inside,
            "signedDistance": -d if inside else d}


def eta_zone(rng, zone_kind, rejects):
    u = rng.random()
    cat = "global" if u < 0.55 else ("polar" if u < 0.7 else ("antimeridian" if u < 0.85 else "special"))
    if zone_kind == "circle":
        if cat == "special":
            return CircleZone(AT_TANF, AT_TANF_RADIUS), AT_TANF, AT_TANF_RADIUS
        center, _ = circle_center(rng, cat)
        r = loguniform(rng, 100.0, 3e5)
        if cat == "polar" and rng.random() < 0.5:
            pole = 90.0 if center[0] > 0 else -90.0
            dp = inverse_s(center[0], center[1], pole, 0.0)
            r = max(r, min(3e5, dp * rng.uniform(1.05, 3.0)))
        return CircleZone(center, r), center, r
    pcat = "tiny" if cat == "special" else cat
    zone, center, R = polygon_zone_for(rng, pcat, rejects, r_lo=200.0, r_hi=3e5)
    rmax = max(inverse_s(center[0], center[1], a, b) for a, b in zone.rings[0])
    return zone, center, rmax


def gen_eta(rng, category, rejects):
    while True:
        zone, center, rz = eta_zone(rng, category, rejects)
        speed = loguniform(rng, 1.0, 300.0)
        horizon = min(rng.uniform(60.0, 7200.0), 1.5e6 / speed)
        length = speed * horizon
        start = None
        if rng.random() < 0.1:
            for _ in range(50):
                if isinstance(zone, CircleZone):
                    cand = direct(center[0], center[1], rng.uniform(0.0, 360.0), rz * rng.uniform(0.0, 0.9))
                else:
                    cand = direct(center[0], center[1], rng.uniform(0.0, 360.0), rz * rng.uniform(0.0, 0.5))
                if zone.signed(*cand) <= -2.0:
                    start = cand
                    break
            course = rng.uniform(0.0, 360.0)
        if start is None:
            dist = rz + length * rng.uniform(0.02, 1.2)
            start = direct(center[0], center[1], rng.uniform(0.0, 360.0), dist)
            toward = GEOD.Inverse(start[0], start[1], center[0], center[1])["azi1"]
            # Polygons are narrower than their outermost vertex, so aim tighter.
            aim_r = rz if isinstance(zone, CircleZone) else 0.6 * rz
            half = math.degrees(math.asin(min(1.0, aim_r / dist)))
            if rng.random() < (0.65 if isinstance(zone, CircleZone) else 0.8):
                off = rng.uniform(-1.3, 1.3) * half
            else:
                off = rng.uniform(-60.0, 60.0)
            course = toward + max(-60.0, min(60.0, off))
        course = norm_course(course)
        track = Track(start, course, speed)
        try:
            res, _extra = compute_eta(zone, track, horizon)
        except StepLimit:
            rejects["eta: sampler step limit (redrawn)"] += 1
            continue
        out = {"zone": zone.to_json(), "start": [start[0], start[1]], "course": course,
               "speed": speed, "horizon": horizon}
        out.update(res)
        return out


def gen_approach(rng, category, rejects):
    def speed():
        u = rng.random()
        if u < 0.05:
            return 0.0
        if u < 0.5:
            return rng.uniform(0.0, 300.0)
        return loguniform(rng, 1.0, 300.0)

    va, vb = speed(), speed()
    sep = loguniform(rng, 100.0, 3e5)
    ca = rng.uniform(0.0, 360.0)
    cb = rng.uniform(0.0, 360.0)
    horizon = rng.uniform(60.0, 7200.0)
    if category == "generic":
        a = uniform_sphere(rng)
        b = direct(a[0], a[1], rng.uniform(0.0, 360.0), sep)
    elif category == "antimeridian":
        lon = rng.uniform(179.0, 180.0) * (1.0 if rng.random() < 0.5 else -1.0)
        a = (rng.uniform(-70.0, 70.0), lon)
        b = direct(a[0], a[1], rng.uniform(0.0, 360.0), sep)
        ca = rng.uniform(30.0, 150.0) if lon > 0 else rng.uniform(210.0, 330.0)
        cb = rng.uniform(0.0, 360.0)
    elif category == "polar":
        sgn = 1.0 if rng.random() < 0.5 else -1.0
        a = (sgn * rng.uniform(85.0, 89.99), rng.uniform(-180.0, 180.0))
        b = direct(a[0], a[1], rng.uniform(0.0, 360.0), sep)
        if rng.random() < 0.5:
            ca = 0.0 if sgn > 0 else 180.0
            ca += rng.uniform(-5.0, 5.0)
    elif category == "headon":
        a = uniform_sphere(rng)
        va = loguniform(rng, 1.0, 300.0)
        vb = loguniform(rng, 1.0, 300.0)
        b = direct(a[0], a[1], ca, sep)
        cb = GEOD.Inverse(b[0], b[1], a[0], a[1])["azi1"]
        if rng.random() < 0.5:
            cb += math.copysign(loguniform(rng, 1e-4, 1.0), rng.random() - 0.5)
    elif category == "parallel":
        a = uniform_sphere(rng)
        side = 90.0 if rng.random() < 0.5 else -90.0
        r = GEOD.Direct(a[0], a[1], ca + side, loguniform(rng, 10.0, 5e4))
        b = (r["lat2"], r["lon2"])
        cb = r["azi2"] - side
        va = loguniform(rng, 1.0, 300.0)
        vb = va if rng.random() < 0.5 else va * rng.uniform(0.8, 1.2)
    elif category == "stationary":
        a = uniform_sphere(rng)
        b = direct(a[0], a[1], rng.uniform(0.0, 360.0), sep)
        va = loguniform(rng, 1.0, 300.0)
        vb = 0.0
        if rng.random() < 0.7:
            ca = GEOD.Inverse(a[0], a[1], b[0], b[1])["azi1"] + rng.uniform(-30.0, 30.0)
        if rng.random() < 0.5:
            a, b, va, vb, ca, cb = b, a, vb, va, cb, ca
    elif category == "diverging":
        a = uniform_sphere(rng)
        r = GEOD.Direct(a[0], a[1], rng.uniform(0.0, 360.0), sep)
        b = (r["lat2"], r["lon2"])
        ca = r["azi1"] + 180.0 + rng.uniform(-60.0, 60.0)
        cb = r["azi2"] + rng.uniform(-60.0, 60.0)
    elif category == "pasthorizon":
        a = uniform_sphere(rng)
        va = loguniform(rng, 1.0, 300.0)
        vb = loguniform(rng, 1.0, 300.0)
        sep = loguniform(rng, 1e4, 8e5)
        b = direct(a[0], a[1], ca, sep)
        cb = GEOD.Inverse(b[0], b[1], a[0], a[1])["azi1"]
        horizon = max(60.0, min(7200.0, sep / ((va + vb) * rng.uniform(1.1, 2.0))))
    else:
        raise ValueError(category)
    vmax = max(va, vb)
    if vmax > 0:
        horizon = min(horizon, 1.5e6 / vmax)
    ta = Track(a, norm_course(ca), va)
    tb = Track(b, norm_course(cb), vb)
    t, d, tol = compute_approach(ta, tb, horizon)
    return {"a": ta.to_json(), "b": tb.to_json(), "horizon": horizon, "time": t, "distance": d,
            "timeTolerance": tol}


GENERATORS = {
    "distance": gen_distance,
    "circle": gen_circle,
    "polygon": gen_polygon,
    "eta": gen_eta,
    "approach": gen_approach,
}

PLAN = [
    ("distance", [("global", 800), ("short", 500), ("antimeridian", 200), ("polar", 200),
                  ("antipodal", 200), ("equatorial", 200)]),
    ("circle", [("global", 1300), ("polar", 500), ("antimeridian", 450), ("attanf", 350)]),
    ("polygon", [("global", 2000), ("polar", 320), ("antimeridian", 420), ("tiny", 300), ("many", 40)]),
    ("eta", [("circle", 1040), ("polygon", 520)]),
    ("approach", [("generic", 600), ("antimeridian", 150), ("polar", 150), ("headon", 150),
                  ("parallel", 150), ("stationary", 150), ("diverging", 125), ("pasthorizon", 125)]),
]


def case_seed(seed, kind, category, index):
    h = hashlib.sha256(f"{seed}/{kind}/{category}/{index}".encode()).digest()
    return int.from_bytes(h[:8], "big")


def run_task(task):
    seed, kind, category, index = task
    rng = random.Random(case_seed(seed, kind, category, index))
    rejects = Counter()
    case = GENERATORS[kind](rng, category, rejects)
    return kind, category, case, dict(rejects)


# ---------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------

def zone_from_json(z):
    if "circle" in z:
        c = z["circle"]
        return CircleZone(tuple(c["center"]), c["radius"])
    zone = PolygonZone(z["polygon"]["rings"])
    if not zone.valid:
        raise AssertionError("polygon from fixture is not valid")
    return zone


def check_case(line):
    """Return a list of problems found in one serialized case (empty if fine)."""
    c = json.loads(line)
    kind = c["kind"]
    errs = []
    rng = random.Random(c["id"])
    if kind == "distance":
        r = GEOD.Inverse(c["a"][0], c["a"][1], c["b"][0], c["b"][1])
        if r["s12"] != c["meters"]:
            errs.append("distance mismatch")
    elif kind == "circle":
        if c["inside"] != (c["signedDistance"] <= 0):
            errs.append("circle inside/sign mismatch")
        s = inverse_s(c["center"][0], c["center"][1], c["point"][0], c["point"][1])
        if abs(s - c["distance"]) > 1e-9 or abs(s - c["radius"] - c["signedDistance"]) > 1e-6:
            errs.append("circle distance mismatch")
    elif kind == "polygon":
        sd = c["signedDistance"]
        if sd is None or (sd < 0) != c["inside"]:
            errs.append("polygon inside/sign mismatch")
        zone = PolygonZone(c["rings"])
        lat, lon = c["point"]
        if zone.contains(lat, lon) != c["inside"]:
            errs.append("polygon membership not reproducible")
        ang = float(zone.arc_angles(lat, lon).min())
        if not (ang * MIN_M_PER_RAD - BOUND_MARGIN <= abs(sd) <= ang * MAX_M_PER_RAD + BOUND_MARGIN):
            errs.append("polygon distance outside spherical bounds")
        shell = [(b, a) for a, b in c["rings"][0]]
        holes = [[(b, a) for a, b in ring] for ring in c["rings"][1:]]
        geo = spherely.create_polygon(shell, holes=holes or None)
        pt = spherely.create_point(lon, lat)
        sph = float(spherely.distance(spherely.boundary(geo), pt))
        if abs(sph - ang * SPHERELY_R) > 1e-9 * sph + 1e-5:
            errs.append(f"spherical distance disagrees with spherely ({sph} vs {ang * SPHERELY_R})")
        if abs(sd) > 1.0 and bool(spherely.contains(geo, pt)) != c["inside"]:
            errs.append("membership disagrees with spherely")
    elif kind == "eta":
        zone = zone_from_json(c["zone"])
        track = Track(tuple(c["start"]), c["course"], c["speed"])
        eta = c["eta"]
        if eta is not None:
            if not zone.contains(*track.at(eta)):
                errs.append("eta position not inside")
            if eta == 0.0:
                if not zone.contains(*track.start):
                    errs.append("eta 0 but start outside")
            elif abs(zone.signed(*track.at(eta))) > 0.5:
                errs.append("eta position not within 0.5 m of the boundary")
        if not c["ambiguous"]:
            end = c["horizon"] if eta is None else eta - c["tolerance"]
            for _ in range(100):
                if end <= 0:
                    break
                t = rng.uniform(0.0, end)
                if zone.contains(*track.at(t)):
                    errs.append(f"inside at t={t} before eta")
                    break
    elif kind == "approach":
        ta = Track(tuple(c["a"]["start"]), c["a"]["course"], c["a"]["speed"])
        tb = Track(tuple(c["b"]["start"]), c["b"]["course"], c["b"]["speed"])

        def D(t):
            a = ta.at(t)
            b = tb.at(t)
            return inverse_s(a[0], a[1], b[0], b[1])

        if abs(D(c["time"]) - c["distance"]) > 1e-9:
            errs.append("approach distance not reproducible")
        if not 0.0 <= c["time"] <= c["horizon"]:
            errs.append("approach time outside horizon")
        for _ in range(300):
            if D(rng.uniform(0.0, c["horizon"])) < c["distance"] - 1e-6:
                errs.append("sampled separation below the reported minimum")
                break
    return [f"id {c['id']} ({kind}): {e}" for e in errs]


def sanity_checks():
    """Quick checks of the library conventions the generator relies on."""
    zone = PolygonZone([[(0.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 0.0)],
                        [(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0)]])
    assert zone.valid
    assert zone.contains(2.0, 2.0) and not zone.contains(5.0, 5.0) and not zone.contains(20.0, 20.0)
    # Reversed orientation describes the same (smaller) region.
    zone_r = PolygonZone([[(10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]])
    assert zone_r.contains(5.0, 5.0) and not zone_r.contains(-5.0, 5.0)
    # Boundary distance at the equator edge: 1 degree north of lat 0 is the meridian arc length.
    d = zone_r.boundary_distance(-1.0, 5.0)
    ref = inverse_s(-1.0, 5.0, 0.0, 5.0)
    assert abs(d - ref) < 1e-5, (d, ref)
    # Pole containment.
    polar = PolygonZone([[(80.0, 0.0), (80.0, 120.0), (80.0, -120.0)]])
    assert polar.valid and polar.contains(90.0, 0.0)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check-every", type=int, default=5,
                        help="re-check every Nth case of the expensive kinds (cheap kinds are all checked)")
    args = parser.parse_args()

    started = time.time()
    sanity_checks()

    tasks = []
    for kind, cats in PLAN:
        for category, count in cats:
            for i in range(count):
                tasks.append((args.seed, kind, category, i))

    counts = Counter()
    cat_counts = Counter()
    rejects = Counter()
    eta_stats = Counter()
    approach_stats = Counter()
    lines = []
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        for n, (kind, category, case, rej) in enumerate(pool.imap(run_task, tasks, chunksize=4)):
            record = {"kind": kind, "id": n}
            record.update(case)
            lines.append(json.dumps(record, separators=(",", ":"), allow_nan=False))
            counts[kind] += 1
            cat_counts[(kind, category)] += 1
            rejects.update(rej)
            if kind == "eta":
                eta_stats[f"{category} total"] += 1
                if case["eta"] is None:
                    eta_stats[f"{category} never enter"] += 1
                elif case["eta"] == 0.0:
                    eta_stats[f"{category} start inside"] += 1
                else:
                    eta_stats[f"{category} enter later"] += 1
                if case["ambiguous"]:
                    eta_stats[f"{category} ambiguous"] += 1
            elif kind == "approach":
                if case["time"] == 0.0:
                    approach_stats["time == 0"] += 1
                elif case["time"] == case["horizon"]:
                    approach_stats["time == horizon"] += 1
                else:
                    approach_stats["interior"] += 1
            elif kind == "polygon":
                if len(case["rings"]) > 1:
                    counts["polygon (with holes)"] += 1
                if case["inside"]:
                    counts["polygon (inside)"] += 1
                if abs(case["signedDistance"]) <= 50.0:
                    counts["polygon (within 50 m of boundary)"] += 1
            elif kind == "circle":
                if abs(case["signedDistance"]) <= 50.0:
                    counts["circle (within 50 m of boundary)"] += 1
        generated = time.time()

        checks = []
        for line in lines:
            kind = line[9:line.index('"', 9)]
            n = int(line[line.index('"id":') + 5:line.index(",", line.index('"id":'))])
            if kind in ("distance", "circle") or n % args.check_every == 0:
                checks.append(line)
        problems = []
        for errs in pool.imap(check_case, checks, chunksize=8):
            problems.extend(errs)

    print(f"cases: {len(lines)}")
    for kind, _ in PLAN:
        print(f"  {kind:10s} {counts[kind]}")
        for (k, cat), v in sorted(cat_counts.items()):
            if k == kind:
                print(f"      {cat:14s} {v}")
    for key in sorted(k for k in counts if "(" in k):
        print(f"  {key}: {counts[key]}")
    print("eta:", ", ".join(f"{k}={v}" for k, v in sorted(eta_stats.items())))
    print("approach:", ", ".join(f"{k}={v}" for k, v in sorted(approach_stats.items())))
    print("rejects:", ", ".join(f"{k}={v}" for k, v in sorted(rejects.items())) or "none")
    print(f"self-check: {len(checks)} cases re-checked, {len(problems)} problems")
    if problems:
        for p in problems[:50]:
            print("  " + p, file=sys.stderr)
        sys.exit("self-check failed; fixture not written")

    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")
    os.replace(tmp, out)
    done = time.time()
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    print(f"runtime: generation {generated - started:.1f} s, total {done - started:.1f} s")


if __name__ == "__main__":
    main()
