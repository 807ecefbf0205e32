"""Reads callgrind output files and compares instruction and allocation counts with
committed thresholds.

Usage: perf-guard.py check|--update THRESHOLDS.json NAME=CALLGRIND_OUT=RESULT ...

Instructions are the total `Ir` of the counted region; allocations are the calls into
malloc, calloc, realloc, posix_memalign and aligned_alloc made from inside it. A count
more than `tolerance` above its threshold fails; the result (a checksum of the work's
answer) must equal the committed one, so that skipping work cannot pass for speed."""

import json
import re
import sys

ALLOCATORS = {"malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc"}


def counts(path: str) -> tuple[int, int]:
    names: dict[str, str] = {}
    instructions = None
    allocations = 0
    calling = None
    with open(path) as lines:
        for line in lines:
            if line.startswith("summary:") or line.startswith("totals:"):
                instructions = int(line.split()[1])
                continue
            match = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
            if match:
                number, name = match.groups()
                if name is not None:
                    names[number] = name
                if line.startswith("cfn="):
                    calling = names.get(number, "")
                continue
            if line.startswith("calls=") and calling is not None:
                if calling in ALLOCATORS:
                    allocations += int(line[len("calls="):].split()[0])
                calling = None
    if instructions is None:
        raise SystemExit(f"{path}: no instruction total (did the run reach its counted region?)")
    return instructions, allocations


def main() -> None:
    mode, thresholds_path, *runs = sys.argv[1:]
    measured = {}
    for run in runs:
        name, path, result = run.split("=")
        instructions, allocations = counts(path)
        measured[name] = {"instructions": instructions, "allocations": allocations, "result": int(result)}

    if mode == "--update":
        with open(thresholds_path, "w") as file:
            json.dump({"tolerance": 0.05, "workloads": measured}, file, indent=2)
            file.write("\n")
        for name, value in measured.items():
            print(f"{name}: {value['instructions']:,} instructions, {value['allocations']:,} allocations (written)")
        return

    with open(thresholds_path) as file:
        committed = json.load(file)
    tolerance = committed["tolerance"]
    failures = []
    improvements = []
    for name, value in measured.items():
        expected = committed["workloads"].get(name)
        if expected is None:
            failures.append(f"{name}: no committed threshold")
            continue
        line = [name]
        if value["result"] != expected["result"]:
            failures.append(f"{name}: result {value['result']}, expected {expected['result']} (the work changed)")
        for metric in ("instructions", "allocations"):
            now, then = value[metric], expected[metric]
            change = (now - then) / then if then else (0.0 if now == 0 else float("inf"))
            line.append(f"{metric} {now:,} ({change:+.1%} against {then:,})")
            if change > tolerance:
                failures.append(f"{name}: {metric} {now:,} is {change:+.1%} against the threshold {then:,}")
            elif change < -tolerance:
                improvements.append(f"{name}: {metric} {change:+.1%}")
        print(", ".join(line))
    if failures:
        print("\nperformance regression:\n  " + "\n  ".join(failures), file=sys.stderr)
        print("(if the change is intended, run Benchmarks/scripts/perf-guard.sh --update and commit perf-guard.json)",
              file=sys.stderr)
        raise SystemExit(1)
    if improvements:
        print("better than the thresholds (run with --update to keep the gain): " + ", ".join(improvements))
    print(f"perf guard: no workload above its thresholds by more than {tolerance:.0%}")


if __name__ == "__main__":
    main()
