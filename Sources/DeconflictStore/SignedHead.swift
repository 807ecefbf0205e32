public import Crypto
public import Foundation

/// A ledger head signed by the service, or countersigned by a witness: the number of
/// entries, the root of the Merkle tree over them (``MerkleTree``), the hash of the last
/// entry in the chain, and when it was signed, under an Ed25519 key.
///
/// The signed text is plain and documented (docs/ledger.md), so anyone can check a head
/// with their own tools:
///
///     deconflict ledger head v1
///     <size>
///     <root, hex>
///     <head, hex>
///     <time, RFC 3339>
///
/// A witness signs the same lines under its own first line, `deconflict ledger witness
/// v1`: it vouches that it saw this head and that it extends every head it saw before.
public struct SignedHead: Codable, Hashable, Sendable {
    /// The number of entries the head covers.
    public var size: Int64
    /// The Merkle tree's root over those entries, hex.
    public var root: String
    /// The hash of entry `size` (64 zeros for an empty ledger), hex.
    public var head: String
    /// When it was signed.
    public var time: String
    /// The signer's key id (``SigningKey/id``).
    public var key: String
    /// The signer's public key, Ed25519, base64 of its 32 bytes.
    public var publicKey: String
    /// The Ed25519 signature of ``message(witness:)``, base64.
    public var signature: String

    public init(size: Int64, root: String, head: String, time: String, key: String, publicKey: String, signature: String) {
        self.size = size
        self.root = root
        self.head = head
        self.time = time
        self.key = key
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The text signed: by the service, or (`witness`) by a witness countersigning.
    public static func message(size: Int64, root: String, head: String, time: String, witness: Bool) -> Data {
        Data("deconflict ledger \(witness ? "witness" : "head") v1\n\(size)\n\(root)\n\(head)\n\(time)\n".utf8)
    }

    public func message(witness: Bool) -> Data {
        Self.message(size: size, root: root, head: head, time: time, witness: witness)
    }

    /// Whether the signature is `publicKey`'s over this head, and `key` names that key.
    public func isValid(witness: Bool = false) -> Bool {
        guard let raw = Data(base64Encoded: publicKey), let signature = Data(base64Encoded: signature),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw), SigningKey.id(of: raw) == self.key
        else { return false }
        return key.isValidSignature(signature, for: message(witness: witness))
    }

    /// The root's bytes.
    public var rootBytes: [UInt8] { MerkleTree.bytes(hex: root) ?? [] }
}

/// An Ed25519 key that signs ledger heads: the service's (kept in a file outside the
/// database) or a witness's. Read from and written to PKCS #8 PEM, so OpenSSL makes and
/// reads the same files (`openssl genpkey -algorithm ed25519`).
public struct SigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public init(_ privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.privateKey = privateKey
    }

    /// The public key's 32 bytes.
    public var publicKey: Data { privateKey.publicKey.rawRepresentation }

    /// The key id: the first 8 bytes of the SHA-256 of the public key, hex.
    public var id: String { Self.id(of: publicKey) }

    public static func id(of publicKey: Data) -> String {
        MerkleTree.hex(Array(SHA256.hash(data: publicKey).prefix(8)))
    }

    /// Signs the head of `size` entries with Merkle root `root` and last entry hash
    /// `head`, at `time`; `witness` for a countersignature.
    public func sign(size: Int64, root: String, head: String, time: String, witness: Bool = false) throws -> SignedHead {
        let signature = try privateKey.signature(for: SignedHead.message(size: size, root: root, head: head, time: time, witness: witness))
        return SignedHead(
            size: size, root: root, head: head, time: time, key: id, publicKey: publicKey.base64EncodedString(),
            signature: signature.base64EncodedString())
    }

    // MARK: Files

    /// The DER prefix of an Ed25519 private key in PKCS #8 (RFC 8410), before its 32 bytes.
    private static let pkcs8Prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    /// The DER prefix of an Ed25519 public key in SubjectPublicKeyInfo, before its 32 bytes.
    private static let spkiPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The key as PKCS #8 PEM.
    public var pem: String {
        Self.pem(Self.pkcs8Prefix + Array(privateKey.rawRepresentation), label: "PRIVATE KEY")
    }

    /// The public key as SubjectPublicKeyInfo PEM (`openssl pkey -pubout`).
    public var publicKeyPEM: String {
        Self.pem(Self.spkiPrefix + Array(publicKey), label: "PUBLIC KEY")
    }

    /// A key from PKCS #8 PEM.
    ///
    /// - Throws: ``SigningKeyError`` saying why it is not an Ed25519 private key.
    public init(pem text: String) throws(SigningKeyError) {
        let der = try Self.der(text, label: "PRIVATE KEY")
        guard der.count == 48, Array(der.prefix(16)) == Self.pkcs8Prefix,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
        else { throw SigningKeyError("not an Ed25519 private key in PKCS #8 (openssl genpkey -algorithm ed25519)") }
        self.init(key)
    }

    /// A public key's 32 bytes from SubjectPublicKeyInfo PEM, or from base64 of the bytes.
    public static func publicKey(_ text: String) throws(SigningKeyError) -> Data {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.hasPrefix("-----"), let raw = Data(base64Encoded: trimmed), raw.count == 32 { return raw }
        let der = try der(trimmed, label: "PUBLIC KEY")
        guard der.count == 44, Array(der.prefix(12)) == spkiPrefix else {
            throw SigningKeyError("not an Ed25519 public key (PEM, as openssl pkey -pubout writes it, or base64 of its 32 bytes)")
        }
        return Data(der.suffix(32))
    }

    /// Reads the key at `path`, or, when there is no file and `create` is set, makes one
    /// and writes it there, readable by its owner only.
    ///
    /// - Returns: the key and whether it was made now.
    public static func load(path: String, create: Bool) throws(SigningKeyError) -> (key: SigningKey, created: Bool) {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else { throw SigningKeyError("\(path): cannot be read") }
            do {
                return (try SigningKey(pem: String(decoding: data, as: UTF8.self)), false)
            } catch {
                throw SigningKeyError("\(path): \(error.reason)")
            }
        }
        guard create else { throw SigningKeyError("\(path): no such file") }
        let key = SigningKey()
        let made = FileManager.default.createFile(
            atPath: path, contents: Data(key.pem.utf8), attributes: [.posixPermissions: 0o600])
        guard made else { throw SigningKeyError("\(path): cannot be written") }
        return (key, true)
    }

    private static func pem(_ der: [UInt8], label: String) -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
    }

    private static func der(_ text: String, label: String) throws(SigningKeyError) -> [UInt8] {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else {
            throw SigningKeyError("no \(begin) … \(end) block")
        }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)) else { throw SigningKeyError("the \(label) block is not base64") }
        return Array(der)
    }
}

/// A signing key that cannot be read or made: why.
public struct SigningKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
