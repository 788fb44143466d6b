import Foundation
import Synchronization
import Testing

@testable import CvatExport

@Suite struct SampleSchedulerTests {
    /// How many `make` calls run at once, and the most seen.
    final class Gauge: Sendable {
        private let state = Mutex((now: 0, most: 0))
        func enter() {
            state.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
        }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    @Test(arguments: [(1, 8), (3, 8), (4, 2)])
    func samplesAreWrittenInOrderWithinTheBounds(concurrency: Int, window: Int) async throws {
        let gauge = Gauge()
        let finished = Atomic(0)
        var written: [Int] = []
        try await SampleScheduler(concurrency: concurrency, window: window).run(count: 40) { index in
            gauge.enter()
            defer { gauge.leave() }
            // Later samples finish first now and then, so the writer must hold them back.
            usleep(UInt32((40 - index) % 7) * 300)
            finished.add(1, ordering: .relaxed)
            return index * 10
        } write: { index, output in
            #expect(output == index * 10)
            // Made but not yet written: this one and those waiting behind it.
            #expect(finished.load(ordering: .relaxed) - written.count <= window)
            written.append(index)
        }
        #expect(written == Array(0..<40))
        #expect(gauge.most <= min(concurrency, window))
    }

    @Test func noSampleAtAllWritesNothing() async throws {
        var calls = 0
        try await SampleScheduler(concurrency: 2, window: 8).run(count: 0) {
            $0
        } write: { _, _ in
            calls += 1
        }
        #expect(calls == 0)
    }

    @Test func anErrorFromMakingASampleStopsTheRun() async throws {
        struct Broken: Error {}
        var written: [Int] = []
        await #expect(throws: Broken.self) {
            try await SampleScheduler(concurrency: 2, window: 4).run(count: 20) { index in
                if index == 5 { throw Broken() }
                return index
            } write: { index, _ in
                written.append(index)
            }
        }
        #expect(written == Array(0..<5))
    }

    @Test func aCancelledRunStopsLaunchingAndThrowsCancellation() async throws {
        let made = Atomic(0)
        let run = Task {
            var written = 0
            try await SampleScheduler(concurrency: 2, window: 4).run(count: 1000) { index in
                made.add(1, ordering: .relaxed)
                return index
            } write: { _, _ in
                written += 1
                // Cancels the run from inside, at a known point, instead of racing a timer.
                if written == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return written
        }
        await #expect(throws: CancellationError.self) { try await run.value }
        // Launching stopped right after the cancellation: what was under way then (at most the window) at most.
        #expect(made.load(ordering: .relaxed) <= 3 + 4)
    }
}
