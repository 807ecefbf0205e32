import Configuration
import Foundation
import Synchronization
import SystemPackage

/// The settings of every command, read through swift-configuration with one precedence
/// for every key: a flag, then an environment variable, then the `--config` JSON file
/// (or `DECONFLICT_CONFIG`), then the default (docs/server.md lists the keys).
///
/// A key is named as in the file (`jwtAudience`); its environment variable is `DECONFLICT_`
/// and the key in upper snake case (`DECONFLICT_JWT_AUDIENCE`; lists comma-separated). A
/// value that is there but cannot be read (`DECONFLICT_PORT=eighty`) is an error naming
/// where it came from, never a silent default.
struct Settings {
    /// Values that are there but of the wrong type, as the reader met them.
    final class Problems: AccessReporter, Sendable {
        let found = Mutex<[String]>([])
        let file: String?

        init(file: String?) {
            self.file = file
        }

        func report(_ event: AccessEvent) {
            let key = event.metadata.key.components.dropFirst(event.metadata.key.components.first == "deconflict" ? 1 : 0)
                .joined(separator: ".")
            let expected = switch event.metadata.valueType {
            case .int: "whole number"
            case .double: "number"
            case .bool: "true or false"
            case .stringArray: "list of strings"
            case .string: "string"
            default: "\(event.metadata.valueType)"
            }
            func place(_ provider: String) -> String {
                provider.contains("Environment") ? Settings.environmentName(key)
                    : provider.contains("File") || provider.contains("JSON") ? "--config: \(file ?? ""): \(key)" : "--\(key)"
            }
            // A provider that holds the key but not as this type fails; so does a value
            // that cannot be converted.
            for result in event.providerResults {
                if case .failure = result.result {
                    found.withLock { $0.append("\(place(result.providerName)): not a \(expected)") }
                    return
                }
            }
            guard event.conversionError != nil else { return }
            let source = event.providerResults.first { result in
                if case .success(let lookup) = result.result { return lookup.value != nil }
                return false
            }?.providerName ?? ""
            found.withLock { $0.append("\(place(source)): not a \(expected)") }
        }
    }

    let reader: ConfigReader
    let problems: Problems

    /// The reader over `flags` (the keys of the flags given), the environment and `file`.
    init(flags: [String: ConfigContent], file: String?) async throws {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "flags",
                values: Dictionary(uniqueKeysWithValues: flags.map { (AbsoluteConfigKey([$0.key]), ConfigValue($0.value, isSecret: false)) })),
            KeyMappingProvider(upstream: EnvironmentVariablesProvider()) { key in key.prepending(["deconflict"]) },
        ]
        if let file {
            guard FileManager.default.isReadableFile(atPath: file) else { throw InputError("--config: cannot read \(file)") }
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw InputError("--config: \(file): not a JSON object of settings: \(error)")
            }
        }
        problems = Problems(file: file)
        reader = ConfigReader(providers: providers, accessReporter: problems)
    }

    /// The environment variable of `key`: `jwtAudience` is `DECONFLICT_JWT_AUDIENCE`.
    static func environmentName(_ key: String) -> String {
        var name = "DECONFLICT_"
        var previous: Character?
        for character in key {
            if let previous, previous.isLowercase, character.isUppercase { name += "_" }
            name += character.uppercased()
            previous = character
        }
        return name
    }

    private func checked<T>(_ value: T?) throws -> T? {
        if let problem = problems.found.withLock({ $0.first }) { throw InputError(problem) }
        return value
    }

    func string(_ key: String) throws -> String? { try checked(reader.string(forKey: ConfigKey([key]))) }
    func int(_ key: String) throws -> Int? { try checked(reader.int(forKey: ConfigKey([key]))) }
    func double(_ key: String) throws -> Double? { try checked(reader.double(forKey: ConfigKey([key]))) }
    func bool(_ key: String) throws -> Bool? { try checked(reader.bool(forKey: ConfigKey([key]))) }

    /// A list: a JSON array in the file, comma-separated in the environment.
    func list(_ key: String) throws -> [String]? {
        try checked(reader.stringArray(forKey: ConfigKey([key]))).map { values in
            values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}
