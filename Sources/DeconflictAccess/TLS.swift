public import NIOSSL
public import DeconflictNode

/// The TLS of the HTTP API, loaded and checked (``TLSPolicy/server(certificate:key:)``).
public struct ServerTLS: Sendable {
    public let configuration: TLSConfiguration
}

/// The TLS every listener speaks (the HTTP API with `--tls-cert`, Cursor-on-Target with
/// `--cot-tls`): TLS 1.2 or 1.3 only, and for TLS 1.2 only ECDHE key exchange with AEAD
/// ciphers (forward secrecy; no CBC, RC4, 3DES or static RSA). TLS 1.3's suites are
/// all AEAD and fixed by the library.
public enum TLSPolicy {
    public static let minimumVersion = TLSVersion.tlsv12
    public static let cipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// The HTTP API's TLS: the certificate chain and private key of the server, in PEM.
    ///
    /// - Throws: ``FieldError`` naming the option whose file cannot be used (never its
    ///   content).
    public static func server(certificate: String, key: String) throws(FieldError) -> ServerTLS {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw FieldError(field: "tls-cert", reason: "\(certificate) holds no PEM certificate that can be read")
        }
        guard !chain.isEmpty else { throw FieldError(field: "tls-cert", reason: "\(certificate) holds no PEM certificate") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw FieldError(field: "tls-key", reason: "\(key) holds no PEM private key that can be read")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        apply(to: &configuration)
        configuration.applicationProtocols = ["http/1.1"]
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw FieldError(field: "tls-key", reason: "\(key) does not go with the certificate of \(certificate)")
        }
        return ServerTLS(configuration: configuration)
    }

    /// The versions and ciphers of the policy.
    public static func apply(to configuration: inout TLSConfiguration) {
        configuration.minimumTLSVersion = minimumVersion
        configuration.cipherSuites = cipherSuites
    }
}
