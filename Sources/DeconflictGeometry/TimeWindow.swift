#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A half-open interval of time, `start ..< end`, either end of which may be open.
public struct TimeWindow: Hashable, Sendable, CustomStringConvertible {
    /// The first instant inside the window, or `nil` for "since always".
    public let start: Date?
    /// The first instant after the window, or `nil` for "until further notice".
    public let end: Date?

    /// Creates a window.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/timeWindowInverted``
    ///   (field `end`) when `end` is before `start`.
    public init(start: Date? = nil, end: Date? = nil) throws(GeometryError) {
        if let start, let end, end < start {
            throw GeometryError(
                .timeWindowInverted, field: "end",
                reason: "time window ends (\(end)) before it starts (\(start))")
        }
        self.start = start
        self.end = end
    }

    /// The window that is always open.
    public static let always = try! TimeWindow()

    public var description: String {
        "\(start.map { "\($0)" } ?? "-∞") ..< \(end.map { "\($0)" } ?? "+∞")"
    }

    /// True when `instant` is inside the window.
    public func contains(_ instant: Date) -> Bool {
        if let start, instant < start { return false }
        if let end, instant >= end { return false }
        return true
    }

    /// True when the windows share an instant.
    public func overlaps(_ other: TimeWindow) -> Bool {
        if let end, let otherStart = other.start, end <= otherStart { return false }
        if let otherEnd = other.end, let start, otherEnd <= start { return false }
        // Two empty windows (start == end) hold no instant.
        if let start, let end, start == end { return false }
        if let otherStart = other.start, let otherEnd = other.end, otherStart == otherEnd { return false }
        return true
    }

    /// The window's bounds as seconds after `reference` (−∞/+∞ for open ends).
    func offsets(from reference: Date) -> (lower: Double, upper: Double) {
        (start.map { $0.timeIntervalSince(reference) } ?? -.infinity,
         end.map { $0.timeIntervalSince(reference) } ?? .infinity)
    }
}
