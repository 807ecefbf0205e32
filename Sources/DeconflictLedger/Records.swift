public import DeconflictEngine
import DeconflictGeometry
public import DeconflictStore
public import Foundation

/// A credential as the ledger keeps it: never the secret, only its SHA-256.
public struct CredentialRecord: Codable, Hashable, Sendable {
    /// The key's public identifier (the part of the key before its secret).
    public var id: String
    /// The party it speaks for, or `@operator`.
    public var actor: String
    /// SHA-256 of the secret, hex.
    public var digest: String

    public init(id: String, actor: String, digest: String) {
        self.id = id
        self.actor = actor
        self.digest = digest
    }
}

/// The public half of a key the service signs ledger heads with (``SignedHead``), as the
/// ledger records it when the service starts signing with it: a rotation is the entry of
/// the next key.
public struct LedgerKeyRecord: Codable, Hashable, Sendable {
    /// The key id (``SigningKey/id``).
    public var id: String
    /// The Ed25519 public key, base64 of its 32 bytes.
    public var publicKey: String

    public init(id: String, publicKey: String) {
        self.id = id
        self.publicKey = publicKey
    }

    public init(_ key: SigningKey) {
        self.init(id: key.id, publicKey: key.publicKey.base64EncodedString())
    }
}

/// A party's webhook as the ledger keeps it.
public struct WebhookRecord: Codable, Hashable, Sendable {
    public var id: String
    public var party: String
    public var url: String
    /// The HMAC-SHA256 key deliveries are signed with, in clear: command records of
    /// versions 1 to 4 only.
    public var secret: String?
    /// Version 5: that key sealed (AES-256-GCM under the service's secrets key, kept
    /// outside the database, bound to the webhook's id), base64.
    public var sealedSecret: String?
    /// The last ledger sequence delivered, as last recorded.
    public var deliveredThrough: Int64

    public init(id: String, party: String, url: String, secret: String? = nil, sealedSecret: String? = nil, deliveredThrough: Int64) {
        self.id = id
        self.party = party
        self.url = url
        self.secret = secret
        self.sealedSecret = sealedSecret
        self.deliveredThrough = deliveredThrough
    }
}

/// The ledger record of a batch of position reports: who sent it and the reports
/// themselves, one canonical line each (`unit time latitude longitude altitude speed
/// course uncertainty`, times in seconds since 1970, numbers in their shortest exact
/// form). The ledger alone thus replays every decision, whatever the retention of the
/// `reports` table (which serves queries).
///
/// - Version 1 (no `v` key): decided by the engine's rules 1.
/// - Version 2 (`"v": 2`): the same keys, decided by the engine's rules 2 (an open
///   incursion's distance follows the unit, ``Engine/rules``).
public struct ReportBatchPayload: Codable, Hashable, Sendable {
    /// The version written now.
    public static let currentVersion = 2

    public var v: Int?
    public var batch: String
    public var by: String
    public var reports: [String]

    /// The store reads these entries back (``ReportLines``): every version keeps the
    /// `batch` and `reports` keys and the lines' shape.
    public static let ledgerType = ReportLines.ledgerType

    public init(batch: String, by: String, reports: [PositionReport]) {
        v = Self.currentVersion
        self.batch = batch
        self.by = by
        self.reports = reports.map(Self.line)
    }

    /// The engine's rules the batch was decided by: those of its version.
    public var rules: Int { (v ?? 1) >= 2 ? 2 : 1 }

    public func record(at time: Date) -> LedgerRecord {
        let data = (try? RFC3339.encoder().encode(self)) ?? Data("{}".utf8)
        return LedgerRecord(time: time, type: Self.ledgerType, payload: String(decoding: data, as: UTF8.self))
    }

    /// Reads a `reports.accepted` entry's payload.
    public static func decode(_ payload: String) throws -> ReportBatchPayload {
        let payload = try RFC3339.decoder().decode(ReportBatchPayload.self, from: Data(payload.utf8))
        guard (payload.v ?? 1) <= currentVersion else {
            throw LedgerDecodingError(field: "v", reason: "version \(payload.v ?? 1) is newer than this release reads (\(currentVersion))")
        }
        return payload
    }

    static func line(_ report: PositionReport) -> String { ReportLines.line(report) }

    /// A report's time as its line reads back (seconds since 1970): what a replay meets.
    public static func recordedTime(_ time: Date) -> Date { Date(timeIntervalSince1970: time.timeIntervalSince1970) }

    /// The reports again; lines that do not parse are skipped.
    public var positionReports: [PositionReport] { reports.compactMap { ReportLines.report($0) } }
}
