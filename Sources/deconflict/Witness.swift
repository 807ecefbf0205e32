import ArgumentParser
import AsyncHTTPClient
import DeconflictStore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `deconflict witness`: a party's own check of the service's ledger, run on its own
/// machine. It fetches the signed head, proves with the service's consistency proof that
/// the head extends the last one it witnessed (RFC 9162), countersigns it with its own
/// key and keeps it. A ledger rebuilt from scratch no longer extends what was witnessed,
/// and the next run (or `deconflict verify --witnessed`) says so.
struct Witness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the service's ledger extends every head this party witnessed, then countersign and keep its current head.",
        discussion: """
            Run it on the party's own machine, as often as the party likes (cron): each run fetches GET /v1/ledger/head, \
            checks the service's signature, asks GET /v1/ledger/consistency for the proof that the head extends the last \
            head in --heads and checks it, then appends the head and the party's countersignature (Ed25519, --key) to \
            --heads. Exits with 1, naming the sizes, when the ledger does not extend what was witnessed. \
            `deconflict verify TARGET --witnessed FILE` holds a store or an export to every head in the file.
            """)

    @Option(help: ArgumentHelp("The service's base URL (http://127.0.0.1:8080).", valueName: "url"))
    var server: String

    @Option(help: ArgumentHelp("The party's API key (or a bearer token). Env: DECONFLICT_API_KEY.", valueName: "key"))
    var apiKey: String?

    @Option(help: ArgumentHelp("The party's own Ed25519 key (PKCS #8 PEM), made there when missing.", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp("The heads witnessed, one JSON object a line ({\"head\", \"witness\"}); appended to.", valueName: "file"))
    var heads: String

    @Option(help: ArgumentHelp("The service's public key (PEM or base64) the head must be signed with; without it, any key, a change of key being reported.", valueName: "key-or-file"))
    var serviceKey: String?

    /// One line of the heads file: the service's signed head and the witness's
    /// countersignature of it.
    struct Witnessed: Codable {
        var head: SignedHead
        var witness: SignedHead
    }

    func run() async throws {
        let credential = apiKey ?? ProcessInfo.processInfo.environment["DECONFLICT_API_KEY"]
        guard let credential, !credential.isEmpty else { throw InputError("--api-key: required (or DECONFLICT_API_KEY)") }
        let witnessKey: SigningKey
        do {
            witnessKey = try SigningKey.load(path: key, create: true).key
        } catch {
            throw InputError("--key: \(error)")
        }
        var pinned: Data?
        if let serviceKey {
            let text = FileManager.default.fileExists(atPath: serviceKey)
                ? String(decoding: FileManager.default.contents(atPath: serviceKey) ?? Data(), as: UTF8.self) : serviceKey
            do { pinned = try SigningKey.publicKey(text) } catch { throw InputError("--service-key: \(error)") }
        }
        let kept = try Self.read(heads)
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server

        let head: SignedHead = try await Self.get("\(base)/v1/ledger/head", credential)
        guard head.isValid() else {
            print("refused: the head's signature does not verify under the key it names (\(head.key))")
            throw ExitCode.failure
        }
        if let pinned, Data(base64Encoded: head.publicKey) != pinned {
            print("refused: the head is signed with key \(head.key), not the service key given")
            throw ExitCode.failure
        }
        if let last = kept.last {
            if last.head.key != head.key { print("note: the service's key changed from \(last.head.key) to \(head.key)") }
            if head.size < last.head.size {
                print("rewritten: the service's ledger has \(head.size) entries; \(last.head.size) were witnessed at \(last.head.time)")
                throw ExitCode.failure
            }
            struct Proof: Decodable { var fromRoot: String; var toRoot: String; var proof: [String] }
            let proof: Proof = try await Self.get("\(base)/v1/ledger/consistency?from=\(last.head.size)&to=\(head.size)", credential)
            let hashes = proof.proof.compactMap { MerkleTree.bytes(hex: $0) }
            let consistent = hashes.count == proof.proof.count && proof.toRoot == head.root
                && MerkleTree.verifyConsistency(
                    first: Int(last.head.size), second: Int(head.size), firstRoot: last.head.rootBytes, secondRoot: head.rootBytes, proof: hashes)
            guard consistent else {
                print("rewritten: the ledger of \(head.size) entries (root \(head.root.prefix(16))…) does not extend the head of \(last.head.size) entries witnessed at \(last.head.time) (root \(last.head.root.prefix(16))…)")
                throw ExitCode.failure
            }
        }
        let cosignature = try witnessKey.sign(
            size: head.size, root: head.root, head: head.head, time: Ledger.timestamp(Date()), witness: true)
        let line = try JSONEncoder.sorted.encode(Witnessed(head: head, witness: cosignature))
        try Self.append(line + Data("\n".utf8), to: heads)
        let extends = kept.last.map { " extends the head of \($0.head.size) entries witnessed at \($0.head.time)," } ?? ""
        print("witnessed: \(head.size) entries, root \(head.root),\(extends) countersigned with key \(witnessKey.id)")
    }

    /// The heads in `path`, smallest first; none when there is no file.
    static func read(_ path: String) throws -> [Witnessed] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("\(path): cannot be read") }
        var kept: [Witnessed] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.isEmpty {
            do {
                kept.append(try JSONDecoder().decode(Witnessed.self, from: Data(line.utf8)))
            } catch {
                throw InputError("\(path): line \(index + 1) is not a witnessed head: \(error)")
            }
        }
        return kept.sorted { $0.head.size < $1.head.size }
    }

    private static func append(_ data: Data, to path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw InputError("--heads: \(path) cannot be written") }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    private static func get<T: Decodable>(_ url: String, _ credential: String) async throws -> T {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(credential)")
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            body = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw InputError("\(url): \(error)")
        }
        guard response.status.code == 200 else {
            throw InputError("\(url): HTTP \(response.status.code): \(String(buffer: body).prefix(300))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch {
            throw InputError("\(url): unreadable answer: \(error)")
        }
    }
}

extension JSONEncoder {
    /// Keys sorted, slashes as they are: one line a record.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
