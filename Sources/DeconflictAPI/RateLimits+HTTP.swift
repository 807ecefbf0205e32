import DeconflictAccess
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension RateLimiter {
    /// A 429 naming the limit (`credential` or `address`), with `Retry-After` in whole
    /// seconds.
    static func refusal(_ limit: String, reason: String, retryAfter: Duration) -> Response {
        let seconds = Self.seconds(retryAfter)
        let object: [String: Any] = [
            "type": "about:blank", "status": 429, "title": Problem.title(429), "limit": limit, "reason": reason,
            "detail": "\(reason); retry after \(seconds) s",
        ]
        return Response(
            status: .tooManyRequests, headers: [.contentType: "application/problem+json", .retryAfter: String(seconds)],
            body: .init(byteBuffer: ByteBuffer(bytes: JSON.data(object))))
    }
}
