import Foundation
import LiaisonFuzzTargets

// One binary for every fuzz target; LIAISON_FUZZ_TARGET names the one to run.
//
// Built by Tests/Fuzz/run with `-sanitize=fuzzer,address -DLIAISON_FUZZ`: libFuzzer supplies
// main and calls LLVMFuzzerTestOneInput. Built normally, it replays files instead:
// `liaison-fuzz TARGET FILE|DIR...` runs each input once (a crash reproduces, a fix is checked).

#if LIAISON_FUZZ
private let target: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["LIAISON_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTargets.all[name] else {
        fatalError("LIAISON_FUZZ_TARGET must be one of \(FuzzTargets.all.keys.sorted().joined(separator: ", ")); got \"\(name)\"")
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// libFuzzer's driver, called with the callback (its own `main` is not linked: SwiftPM points
/// `main` at this module's entry point, below).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("liaison_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return runDriver(&c, &v) { data, size in fuzzOne(data, size) }
}
#else
@main
enum Replay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--methods", args.count == 2, let f = ServiceFuzzer.named(args[1]) {
            // The order the first byte of a params-SERVICE input picks methods in.
            for (i, m) in f.methods().enumerated() { print(i, m) }
            return
        }
        guard let name = args.first, let target = FuzzTargets.all[name] else {
            print("usage: liaison-fuzz TARGET FILE|DIR...  (targets: \(FuzzTargets.all.keys.sorted().joined(separator: ", ")))")
            exit(64)
        }
        var n = 0
        for path in args.dropFirst() {
            for file in FuzzCorpus.files(at: path) {
                target(FuzzCorpus.read(file))
                n += 1
            }
        }
        print("\(name): \(n) inputs replayed")
    }
}
#endif
