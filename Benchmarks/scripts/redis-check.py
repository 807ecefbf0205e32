"""Runs the separation reports of a text command file through Redis, with distances,
and compares the neighbours found with Deconflict's ('report,unit,metres' lines).

Redis measures on a sphere (haversine, radius 6,372,797.56 m), Deconflict on the WGS84
ellipsoid, so the two may disagree only about units very near the radius: the check
prints how many pairs one side found alone and how far they were from the radius."""

import argparse
import collections

import redis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--commands", required=True, help="GEOADD / GEOSEARCH lines, as written by compare-redis --text")
    parser.add_argument("--deconflict", required=True, help="report,unit,metres lines from compare-redis neighbours")
    parser.add_argument("--radius", type=float, required=True)
    arguments = parser.parse_args()

    client = redis.Redis(host="127.0.0.1", port=arguments.port, decode_responses=True)
    from_redis = {}
    report = -1
    with open(arguments.commands) as commands:
        for line in commands:
            words = line.split()
            if words[0] == "GEOADD":
                client.execute_command(*words)
                report += 1
            else:
                for member, metres in client.execute_command(*words, "WITHDIST"):
                    from_redis[(report, member)] = float(metres)
    from_deconflict = {}
    with open(arguments.deconflict) as lines:
        for line in lines:
            if line.strip():
                number, unit, metres = line.strip().split(",")
                from_deconflict[(int(number), unit)] = float(metres)

    only_redis = set(from_redis) - set(from_deconflict)
    only_deconflict = set(from_deconflict) - set(from_redis)
    farthest = max(
        [abs(from_redis[pair] - arguments.radius) for pair in only_redis]
        + [abs(from_deconflict[pair] - arguments.radius) for pair in only_deconflict]
        + [0.0])
    per_report = collections.Counter(number for number, _ in from_deconflict)
    print(
        f"answer check on {report + 1} reports: deconflict {len(from_deconflict)} neighbours "
        f"({len(from_deconflict) / max(1, report + 1):.1f} per report), redis {len(from_redis)}; "
        f"only redis {len(only_redis)}, only deconflict {len(only_deconflict)}, "
        f"all within {farthest:.1f} m of the radius")
    if per_report and farthest > arguments.radius * 0.005:
        raise SystemExit("the answers differ by more than the sphere/ellipsoid difference")


if __name__ == "__main__":
    main()
