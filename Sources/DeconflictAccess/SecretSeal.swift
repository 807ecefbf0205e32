public import Crypto
public import Foundation

/// Seals the secrets the service must keep but must not write in clear (webhook signing
/// secrets): AES-256-GCM under a key kept in a file outside the database, bound to what
/// the secret belongs to (a webhook's id), so a sealed secret copied onto another record
/// does not open.
public struct SecretSeal: Sendable {
    private let key: SymmetricKey

    /// A seal with a key of its own (nothing sealed with it opens after a restart).
    public init() {
        key = SymmetricKey(size: .bits256)
    }

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// A short id of the key (the first 8 bytes of the SHA-256 of the key's SHA-256, hex):
    /// names it without revealing it.
    public var id: String {
        let digest = key.withUnsafeBytes { SHA256.hash(data: SHA256.hash(data: Data($0)).withUnsafeBytes { Data($0) }) }
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// `secret` sealed for `owner`: base64 of nonce, ciphertext and tag.
    public func seal(_ secret: String, for owner: String) throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Data(owner.utf8))
        guard let combined = box.combined else { throw SecretSealError("sealing failed") }
        return combined.base64EncodedString()
    }

    /// The secret `sealed` holds for `owner`.
    ///
    /// - Throws: ``SecretSealError`` when it was sealed under another key or for another
    ///   owner, or altered.
    public func open(_ sealed: String, for owner: String) throws(SecretSealError) -> String {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data) else {
            throw SecretSealError("not a sealed secret")
        }
        guard let clear = try? AES.GCM.open(box, using: key, authenticating: Data(owner.utf8)) else {
            throw SecretSealError("sealed under another secrets key (--secrets-key), or altered")
        }
        return String(decoding: clear, as: UTF8.self)
    }

    /// Reads the key at `path` (base64 of 32 bytes), or, when there is no file and
    /// `create` is set, makes one and writes it there, readable by its owner only.
    public static func load(path: String, create: Bool) throws(SecretSealError) -> SecretSeal {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path),
                let raw = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                raw.count == 32
            else { throw SecretSealError("\(path): not a secrets key (base64 of 32 bytes)") }
            return SecretSeal(key: SymmetricKey(data: raw))
        }
        guard create else { throw SecretSealError("\(path): no such file") }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SecretSealError("\(path): cannot be written")
        }
        return SecretSeal(key: key)
    }
}

/// A secret that cannot be sealed or opened, or a key that cannot be read: why.
public struct SecretSealError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
