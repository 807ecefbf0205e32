public import DeconflictEngine
public import DeconflictGeometry
import Foundation

/// A request refused, with the field at fault (a JSON path such as
/// `zone.polygon[0][3]`), the reason and what kind of refusal it is. Each interface
/// answers it in its own form: the HTTP API as `application/problem+json` with the
/// status of its ``Code``, the DSS interface as `{"message"}`, the command line as a
/// message and an exit status.
public struct FieldError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of refusal.
    public enum Code: String, Hashable, Sendable {
        /// A value is wrong.
        case invalid
        /// The request itself is malformed.
        case badRequest
        /// No valid credential.
        case unauthenticated
        /// The credential may not do this.
        case forbidden
        /// Something named does not exist.
        case notFound
        /// It clashes with what exists (a duplicate, another claim, a stale version).
        case conflict
        /// A version the request names is not the current one.
        case preconditionFailed
        /// Too large to take.
        case tooLarge
        /// The connection must be upgraded first (a stream without its protocol).
        case upgradeRequired

        /// The code of an HTTP status, for interfaces that speak in statuses (the DSS
        /// model's refusals).
        public init(httpStatus: Int) {
            self = switch httpStatus {
            case 400: .badRequest
            case 401: .unauthenticated
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 412: .preconditionFailed
            case 413: .tooLarge
            case 426: .upgradeRequired
            default: .invalid
            }
        }
    }

    public let field: String
    public let reason: String
    public let code: Code
    /// More than the reason, in the shape of the interface that refused (the DSS's
    /// `AirspaceConflictResponse`), written by that interface. Not part of equality.
    public var detail: (any Encodable & Sendable)?

    public static func == (a: FieldError, b: FieldError) -> Bool {
        a.field == b.field && a.reason == b.reason && a.code == b.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(field)
        hasher.combine(reason)
        hasher.combine(code)
    }

    public init(field: String, reason: String, code: Code = .invalid) {
        self.field = field
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(field): \(reason)" }

    public init(_ error: EngineError) {
        let code: Code = switch error.code {
        case .unknownParty, .unknownAgreement, .unknownZone, .unknownUnit, .unknownAlert, .unknownOperation, .unknownMessage: .notFound
        case .duplicate: .conflict
        case .notAddressee, .notSignatory: .forbidden
        default: .invalid
        }
        self.init(field: error.field, reason: error.reason, code: code)
    }

    public init(_ error: GeometryError, under prefix: String) {
        let field = [prefix, error.field].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ".")
        self.init(field: field, reason: error.reason)
    }
}

/// Letters and digits, built once: the `CharacterSet.alphanumerics` getter builds a new
/// set at every call.
private let identifierLetters = CharacterSet.alphanumerics

/// Checks an identifier: 1 to 128 characters of letters, digits, `-`, `_`, `.`, `:`.
package func identifier(_ text: String, field: String) throws(FieldError) -> String {
    guard !text.isEmpty, text.count <= 128,
          text.unicodeScalars.allSatisfy({ identifierLetters.contains($0) || "-_.:".unicodeScalars.contains($0) })
    else {
        throw FieldError(field: field, reason: "an identifier is 1 to 128 letters, digits, '-', '_', '.' or ':'; got \"\(text.prefix(40))\"")
    }
    return text
}
