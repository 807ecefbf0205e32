@testable import DeconflictAPI
import DeconflictStore
import Foundation
import Synchronization
import Testing
import DeconflictNode

/// The hub between the node, which publishes every entry it commits, and its subscribers
/// (live streams, CoT connections), which end at any time.
@Suite("Hub", .timeLimit(.minutes(2)))
struct HubTests {
    final class Shared: Sendable {
        let ended = Atomic(0)
        let stop = Atomic(false)
    }

    /// A subscriber's task cancelled while the node publishes to it: the cancellation
    /// unsubscribes (the hub's lock) while Swift holds the task's own lock, and the
    /// publication wakes the task's waiting reader (the task's lock). Neither may wait for
    /// the other: with two cores, two threads stuck so are all Swift concurrency has, and
    /// the server stops answering and does not shut down. Both sides run on threads of
    /// their own, so that a deadlock fails the test instead of stopping the test run.
    @Test func aSubscriberCancelledWhileTheNodePublishesEndsAndPublishingGoesOn() async throws {
        let hub = Hub()
        let entry = LedgerEntry(
            sequence: 1, time: "2017-06-06T06:00:00.000Z", type: "tick", payload: "{}",
            previous: String(repeating: "0", count: 64), hash: String(repeating: "1", count: 64))
        let rounds = 3_000
        let shared = Shared()
        let publisher = Thread {
            while !shared.stop.load(ordering: .relaxed) { hub.publish([entry]) }
        }
        let canceller = Thread {
            for round in 0..<rounds {
                let entries = hub.subscribe().entries
                let reader = Task.detached { for await _ in entries {} }
                // Mostly once the reader waits for its next entry, sometimes before.
                usleep(UInt32(round % 50))
                reader.cancel()
                shared.ended.add(1, ordering: .relaxed)
            }
        }
        publisher.start()
        canceller.start()
        defer { shared.stop.store(true, ordering: .relaxed) }

        var seen = 0
        var progressed = ContinuousClock.now
        while seen < rounds {
            try await Task.sleep(for: .milliseconds(20))
            let ended = shared.ended.load(ordering: .relaxed)
            if ended > seen {
                seen = ended
                progressed = .now
            } else if ContinuousClock.now - progressed > .seconds(10) {
                Issue.record("cancelling a subscriber and publishing deadlocked after \(seen) of \(rounds) subscribers")
                return
            }
        }
        // Every cancelled subscriber unsubscribed.
        let deadline = ContinuousClock.now + .seconds(10)
        while hub.subscriberCount > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(hub.subscriberCount == 0)
    }
}
