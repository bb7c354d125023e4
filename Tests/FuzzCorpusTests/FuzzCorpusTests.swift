import Testing
import LiaisonFuzzTargets

/// Every committed fuzz input (seeds, and each crash the fuzzer found, kept as a regression)
/// runs through its target: a crash fixed once stays fixed.
@Suite struct FuzzCorpusTests {
    @Test(arguments: FuzzTargets.all.keys.sorted())
    func everyCommittedInputRunsCleanly(target: String) throws {
        let files = FuzzCorpus.files(at: FuzzCorpus.root + "/" + target)
        #expect(!files.isEmpty, "no corpus for \(target)")
        let run = try #require(FuzzTargets.all[target])
        for f in files { run(FuzzCorpus.read(f)) }
    }
}
