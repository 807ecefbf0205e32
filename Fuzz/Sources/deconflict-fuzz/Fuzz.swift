// The libFuzzer entry point: one executable for every target, chosen by the environment
// variable FUZZ_TARGET (scripts/fuzz sets it). Each target hands the input to the decoder
// the way the server (or the command line) does and returns normally whatever the
// outcome: a refusal is a clean answer. A crash, a sanitizer report, a hang or a memory
// blow-up is what libFuzzer looks for.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

nonisolated(unsafe) var selected: ((Data) -> String?)?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
        let known = FuzzTargets.all.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data("FUZZ_TARGET must name a target: \(known); got \"\(name)\"\n".utf8))
        exit(2)
    }
    selected = target
    if name == "jwt", let folder = ProcessInfo.processInfo.environment["FUZZ_WRITE_TOKENS"] {
        // The seed tokens, signed with the fixed keys (Fuzz/corpus/jwt/).
        FuzzKeys.writeSeeds(to: folder)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let disagreement = selected?(Data(bytes: data, count: size)) { fatalError(disagreement) }
    return 0
}
