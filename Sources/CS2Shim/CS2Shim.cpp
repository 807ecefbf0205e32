#include "CS2Shim.h"

#include <cstring>
#include <memory>
#include <vector>

#include <s2/s2cap.h>
#include <s2/s2cell_union.h>
#include <s2/s2closest_edge_query.h>
#include <s2/s2polyline.h>
#include <s2/s2region_coverer.h>
#include <s2/s2error.h>
#include <s2/s2latlng.h>
#include <s2/s2loop.h>
#include <s2/s2polygon.h>

struct s2shim_polygon {
    S2Polygon polygon;
};

static void copy_error(const char *message, char *error, int capacity) {
    if (error == nullptr || capacity <= 0) return;
    std::strncpy(error, message, static_cast<size_t>(capacity - 1));
    error[capacity - 1] = '\0';
}

extern "C" s2shim_polygon *s2shim_polygon_create(const double *lat_lng, const int *ring_sizes,
                                                 int ring_count, char *error, int error_capacity) {
    std::vector<std::unique_ptr<S2Loop>> loops;
    int offset = 0;
    for (int r = 0; r < ring_count; ++r) {
        std::vector<S2Point> points;
        for (int i = 0; i < ring_sizes[r]; ++i) {
            const double lat = lat_lng[2 * (offset + i)];
            const double lng = lat_lng[2 * (offset + i) + 1];
            points.push_back(S2LatLng::FromDegrees(lat, lng).Normalized().ToPoint());
        }
        offset += ring_sizes[r];
        auto loop = std::make_unique<S2Loop>();
        loop->set_s2debug_override(S2Debug::DISABLE);
        loop->Init(points);
        S2Error loop_error;
        if (loop->FindValidationError(&loop_error)) {
            copy_error(loop_error.text().c_str(), error, error_capacity);
            return nullptr;
        }
        loop->Normalize();
        loops.push_back(std::move(loop));
    }
    auto result = std::make_unique<s2shim_polygon>();
    result->polygon.set_s2debug_override(S2Debug::DISABLE);
    result->polygon.InitNested(std::move(loops));
    S2Error polygon_error;
    if (result->polygon.FindValidationError(&polygon_error)) {
        copy_error(polygon_error.text().c_str(), error, error_capacity);
        return nullptr;
    }
    return result.release();
}

extern "C" void s2shim_polygon_destroy(s2shim_polygon *polygon) { delete polygon; }

extern "C" int s2shim_polygon_contains(const s2shim_polygon *polygon, double lat, double lng) {
    return polygon->polygon.Contains(S2LatLng::FromDegrees(lat, lng).Normalized().ToPoint()) ? 1 : 0;
}

extern "C" double s2shim_polygon_boundary_distance(const s2shim_polygon *polygon, double lat,
                                                   double lng) {
    S2ClosestEdgeQuery::Options options;
    options.set_include_interiors(false);
    S2ClosestEdgeQuery query(&polygon->polygon.index(), options);
    S2ClosestEdgeQuery::PointTarget target(S2LatLng::FromDegrees(lat, lng).Normalized().ToPoint());
    return query.GetDistance(&target).ToAngle().radians();
}

extern "C" double s2shim_polygon_distance(const s2shim_polygon *polygon, double lat, double lng) {
    S2ClosestEdgeQuery query(&polygon->polygon.index());
    S2ClosestEdgeQuery::PointTarget target(S2LatLng::FromDegrees(lat, lng).Normalized().ToPoint());
    return query.GetDistance(&target).ToAngle().radians();
}

extern "C" int s2shim_polygons_intersect(const s2shim_polygon *a, const s2shim_polygon *b) {
    return a->polygon.Intersects(&b->polygon) ? 1 : 0;
}

extern "C" int s2shim_covering(const double *lat_lng, int count, double radius_meters, int level,
                               unsigned long long *cells, int capacity) {
    S2RegionCoverer::Options options;
    options.set_min_level(level);
    options.set_max_level(level);
    S2RegionCoverer coverer(options);
    std::vector<S2CellId> covering;
    if (radius_meters > 0) {
        const S2Point center = S2LatLng::FromDegrees(lat_lng[0], lat_lng[1]).Normalized().ToPoint();
        coverer.GetCovering(S2Cap(center, S1Angle::Radians(radius_meters / 6371010.0)), &covering);
    } else {
        std::vector<S2Point> points;
        for (int i = 0; i < count; ++i) {
            points.push_back(S2LatLng::FromDegrees(lat_lng[2 * i], lat_lng[2 * i + 1]).Normalized().ToPoint());
        }
        S2Loop loop;
        loop.set_s2debug_override(S2Debug::DISABLE);
        loop.Init(points);
        S2Error error;
        if (loop.FindValidationError(&error)) return -1;
        loop.Normalize();
        if (loop.GetArea() <= 0) {
            S2Polyline line(points, S2Debug::DISABLE);
            coverer.GetCovering(line, &covering);
        } else {
            coverer.GetCovering(loop, &covering);
        }
    }
    // Every cell at `level` (a normalized covering may merge four into their parent).
    std::vector<S2CellId> denormalized;
    S2CellUnion::Denormalize(covering, level, 1, &denormalized);
    const int total = static_cast<int>(denormalized.size());
    for (int i = 0; i < total && i < capacity; ++i) cells[i] = denormalized[i].id();
    return total;
}
