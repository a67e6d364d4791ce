import Foundation
import MaintFuzz

// Built with `-DMAINT_FUZZING -sanitize=fuzzer,address` (fuzz/run.sh), this hands its arguments to
// libFuzzer, which calls `fuzzOneInput` with each input for the parser named by
// $MAINT_FUZZ_TARGET. Built normally, it replays files: `maint-fuzz TARGET FILE…`.

#if MAINT_FUZZING
import CLibFuzzer

let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["MAINT_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("set MAINT_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try selected.run(bytes)
    } catch {
        FileHandle.standardError.write(Data("\(selected.rawValue): \(error)\n".utf8))
        abort()
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOneInput($0, $1) })
#else
let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
    print("usage: maint-fuzz TARGET FILE…  (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
    exit(2)
}
var failed = false
for path in arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else {
        print("\(path): cannot read")
        failed = true
        continue
    }
    do {
        try target.run(Array(data))
        print("\(path): ok")
    } catch {
        print("\(path): \(error)")
        failed = true
    }
}
exit(failed ? 1 : 0)
#endif
