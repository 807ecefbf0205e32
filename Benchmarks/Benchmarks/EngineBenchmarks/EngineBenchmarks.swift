import Benchmark
import EngineWorkload

/// The engine workload of ``EngineRun``: one iteration is 1,000 position reports, made
/// before the measurement starts.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(10),
        maxIterations: 1_000)

    for (name, turns) in [("straight tracks", 0.0), ("1 report in 20 turns its unit", 0.05)] {
        nonisolated(unsafe) var run: EngineRun? = nil
        Benchmark("Engine: position report, 100k units, 10k zones, all detectors, \(name)") { benchmark in
            if run == nil {
                run = EngineRun(units: 100_000, zones: 10_000, turnProbability: turns)
                run!.warmUp()
            }
            let reports = run!.nextReports(benchmark.scaledIterations.count)
            benchmark.startMeasurement()
            for report in reports { run!.handle(report) }
            benchmark.stopMeasurement()
            blackHole(run!.engine.now)
        }
    }
}
