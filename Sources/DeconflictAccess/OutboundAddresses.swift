public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the service may connect on a party's behalf (its webhooks): not to loopback,
/// private, shared, link-local (where cloud metadata services answer), multicast or
/// otherwise reserved addresses, unless the operator allows a range explicitly
/// (`--webhook-allow`). A party could otherwise make the service reach what only the
/// service's own network can (server-side request forgery).
///
/// The check is made on the address a connection goes to, resolved just before it is
/// made, and the connection is pinned to that address: a host name that resolved to a
/// public address when it was registered and to a private one later does not get
/// through, and neither does one resolving to both.
public struct OutboundAddresses: Sendable {
    /// The ranges the operator allows although they are refused by default.
    public var allowed: [AddressRange]

    public init(allowing allowed: [AddressRange] = []) {
        self.allowed = allowed
    }

    /// The ranges refused unless allowed, with what they are.
    public static let refused: [(range: AddressRange, kind: String)] = [
        ("0.0.0.0/8", "an unspecified"), ("10.0.0.0/8", "a private"), ("100.64.0.0/10", "a shared (carrier-grade NAT)"),
        ("127.0.0.0/8", "a loopback"), ("169.254.0.0/16", "a link-local (cloud metadata)"), ("172.16.0.0/12", "a private"),
        ("192.0.0.0/24", "an IETF protocol"), ("192.0.2.0/24", "a documentation"), ("192.168.0.0/16", "a private"),
        ("198.18.0.0/15", "a benchmarking"), ("198.51.100.0/24", "a documentation"), ("203.0.113.0/24", "a documentation"),
        ("224.0.0.0/4", "a multicast"), ("240.0.0.0/4", "a reserved"),
        ("::/128", "an unspecified"), ("::1/128", "a loopback"), ("100::/64", "a discard"), ("2001:db8::/32", "a documentation"),
        ("fc00::/7", "a unique local (private)"), ("fe80::/10", "a link-local"), ("ff00::/8", "a multicast"),
    ].map { (AddressRange($0.0)!, $0.1) }

    /// IPv6 ranges that carry an IPv4 address in their last 32 bits (IPv4-mapped, NAT64):
    /// the IPv4 address is the one checked.
    static let embedding = [AddressRange("::ffff:0:0/96")!, AddressRange("64:ff9b::/96")!]

    /// Why a connection to `address` (4 or 16 bytes) is refused, or nil when it may be made.
    public func refusal(of address: [UInt8]) -> String? {
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        if address.count == 16, Self.embedding.contains(where: { $0.contains(address) }) {
            return refusal(of: Array(address[12...]))
        }
        guard let (_, kind) = Self.refused.first(where: { $0.range.contains(address) }) else { return nil }
        return "\(AddressRange.text(of: address)) is \(kind) address (allow its range with --webhook-allow)"
    }

    /// The address `host` resolves to that a connection may go to: the first allowed one.
    ///
    /// - Throws: ``Refusal`` when the host does not resolve, or every address it
    ///   resolves to is refused (the reason names the first).
    public func resolve(_ host: String) async throws(Refusal) -> String {
        if let literal = AddressRange.bytes(of: host) {
            if let reason = refusal(of: literal) { throw Refusal(reason: reason) }
            return host
        }
        let addresses = await Self.lookUp(host)
        guard !addresses.isEmpty else { throw Refusal(reason: "\(host) does not resolve", unresolved: true) }
        var first: String?
        for address in addresses {
            guard let reason = refusal(of: address) else { return AddressRange.text(of: address) }
            first = first ?? reason
        }
        throw Refusal(reason: "\(host) resolves only to refused addresses: \(first ?? "")")
    }

    /// Why `host` is refused now, or nil. A host that does not resolve (yet) is not
    /// refused here: connections to it fail until it resolves to an allowed address.
    public func refusal(ofHost host: String) async -> String? {
        do {
            _ = try await resolve(host)
            return nil
        } catch {
            return error.unresolved ? nil : error.reason
        }
    }

    /// Why a connection is not made.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let reason: String
        /// The host did not resolve (rather than resolving to refused addresses).
        public var unresolved = false
        public var description: String { reason }

        public init(reason: String, unresolved: Bool = false) {
            self.reason = reason
            self.unresolved = unresolved
        }
    }

    /// Every address `host` resolves to (getaddrinfo, off the cooperative threads).
    static func lookUp(_ host: String) async -> [[UInt8]] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &list) == 0 else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [[UInt8]] = []
                var next = list
                while let info = next {
                    if let address = info.pointee.ai_addr {
                        switch Int32(address.pointee.sa_family) {
                        case AF_INET:
                            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                                var value = ipv4.pointee.sin_addr
                                addresses.append(withUnsafeBytes(of: &value) { Array($0) })
                            }
                        case AF_INET6:
                            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                                var value = ipv6.pointee.sin6_addr
                                addresses.append(withUnsafeBytes(of: &value) { Array($0) })
                            }
                        default:
                            break
                        }
                    }
                    next = info.pointee.ai_next
                }
                var seen = Set<[UInt8]>()
                continuation.resume(returning: addresses.filter { seen.insert($0).inserted })
            }
        }
    }
}

/// An IPv4 or IPv6 address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`); an address
/// alone is its own range.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    let network: [UInt8]
    let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = Self.bytes(of: String(parts[0])) else { return nil }
        let prefix: Int
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 0, value <= network.count * 8 else { return nil }
            prefix = value
        } else {
            prefix = network.count * 8
        }
        self.network = network
        self.prefix = prefix
    }

    public var description: String { "\(Self.text(of: network))/\(prefix)" }

    /// Whether `address` (4 or 16 bytes, of the range's family) lies in the range.
    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == network.count else { return false }
        var remaining = prefix
        for index in network.indices where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The bytes of an IPv4 or IPv6 address written as text (brackets allowed), or nil.
    public static func bytes(of text: String) -> [UInt8]? {
        var text = text
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var ipv4 = in_addr()
        if inet_pton(AF_INET, text, &ipv4) == 1 { return withUnsafeBytes(of: &ipv4) { Array($0) } }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, text, &ipv6) == 1 { return withUnsafeBytes(of: &ipv6) { Array($0) } }
        return nil
    }

    /// An address's usual text.
    public static func text(of address: [UInt8]) -> String {
        let family = address.count == 4 ? AF_INET : AF_INET6
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = address.withUnsafeBytes { bytes in inet_ntop(family, bytes.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return address.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
