import Crypto
public import DeconflictLedger
import Foundation

/// Party and operator API keys: `dck_<id>_<secret>`. The ledger keeps the id and the
/// SHA-256 of the secret only; the key itself is shown once, when issued.
public enum Credentials {
    /// A new key for `actor`: the key to hand over, and the record to append.
    public static func issue(for actor: Actor) -> (key: String, record: CredentialRecord) {
        let id = randomHex(8)
        let secret = randomHex(32)
        return ("dck_\(id)_\(secret)", CredentialRecord(id: id, actor: actor.description, digest: digest(secret)))
    }

    /// The id and secret of a key, or nil when it is not shaped like one.
    package static func parse(_ key: String) -> (id: String, secret: String)? {
        let parts = key.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "dck", parts[1].count == 16, parts[2].count == 64 else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    /// Whether `secret` matches the record, compared in constant time.
    package static func matches(_ secret: String, _ record: CredentialRecord) -> Bool {
        let given = Array(digest(secret).utf8), stored = Array(record.digest.utf8)
        guard given.count == stored.count else { return false }
        var difference: UInt8 = 0
        for index in given.indices { difference |= given[index] ^ stored[index] }
        return difference == 0
    }

    package static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
