#ifndef DECONFLICT_CS2SHIM_H
#define DECONFLICT_CS2SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/// An S2Polygon built from rings of WGS84 degrees (latitude, longitude pairs).
typedef struct s2shim_polygon s2shim_polygon;

/// Builds a polygon from `ring_count` rings; ring `i` has `ring_sizes[i]` vertices,
/// stored consecutively in `lat_lng` as latitude, longitude pairs (degrees). Each ring
/// is normalized so that it encloses at most half the sphere; rings after the first
/// are holes. Returns NULL when S2 rejects the rings (self-intersection, duplicate
/// vertices, crossing rings...). `error` (may be NULL) receives S2's message.
s2shim_polygon *s2shim_polygon_create(const double *lat_lng, const int *ring_sizes,
                                      int ring_count, char *error, int error_capacity);
void s2shim_polygon_destroy(s2shim_polygon *polygon);

/// 1 if the point (degrees) is inside the polygon, else 0.
int s2shim_polygon_contains(const s2shim_polygon *polygon, double lat, double lng);

/// Angle (radians on the unit sphere) from the point to the polygon's boundary.
double s2shim_polygon_boundary_distance(const s2shim_polygon *polygon, double lat, double lng);

/// 1 if the two polygons share at least one point, else 0.
int s2shim_polygons_intersect(const s2shim_polygon *a, const s2shim_polygon *b);

/// Angle (radians) between the point and the polygon, 0 when inside.
double s2shim_polygon_distance(const s2shim_polygon *polygon, double lat, double lng);

/// The S2 cells at `level` covering an area, as the InterUSS reference DSS computes them
/// (an S2RegionCoverer with minimum and maximum level `level`): a circle when
/// `radius_meters` > 0 (centre `lat_lng[0..1]`, on a sphere of radius 6,371,010 m),
/// else the loop of `count` vertices (normalized to enclose at most half the sphere; a
/// loop without area is covered as a polyline). Writes at most `capacity` cell ids to
/// `cells`, every one at `level`, and returns how many there are (more than `capacity`:
/// call again with room), or -1 when S2 rejects the loop.
int s2shim_covering(const double *lat_lng, int count, double radius_meters, int level,
                    unsigned long long *cells, int capacity);

#ifdef __cplusplus
}
#endif

#endif
