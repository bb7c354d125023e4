import Foundation
import Glibc
import Testing
@testable import Supervisor

@Suite struct ChildOutputTests {
    func tempDir() -> String {
        var template = Array("/tmp/lzco.XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        return dir
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test func theLogRotatesAtItsSizeAndKeepsTheConfiguredNumberOfFiles() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = RotatingFile(path: dir + "/svc.log", maxBytes: 4096, files: 3)
        let line = Array(String(repeating: "x", count: 999).utf8) + [0x0A]  // 1000 bytes
        for i in 0..<20 {
            var l = line
            let tag = Array(String(format: "%04d", i).utf8)
            l.replaceSubrange(0..<4, with: tag)
            file.append(l)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["svc.log", "svc.log.1", "svc.log.2"], "three files in all: the current one and two older, no more")
        for name in names {
            let size = try #require(FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? Int)
            #expect(size <= 4096, "\(name) is \(size) bytes")
        }
        // Four lines a file: the newest lines are in svc.log, the next older in .1, and so on.
        #expect(read(dir + "/svc.log").hasPrefix("0016"))
        #expect(read(dir + "/svc.log.1").hasPrefix("0012"))
        #expect(read(dir + "/svc.log.2").hasPrefix("0008"))
        #expect(!read(dir + "/svc.log.2").contains("0007"), "the oldest lines were dropped")
    }

    @Test func aReopenedLogContinuesFromItsSizeOnDisk() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let line = Array(String(repeating: "y", count: 1999).utf8) + [0x0A]
        do {
            let first = RotatingFile(path: dir + "/svc.log", maxBytes: 4096, files: 2)
            first.append(line)
            first.append(line)
        }
        let second = RotatingFile(path: dir + "/svc.log", maxBytes: 4096, files: 2)
        second.append(line)  // would pass 4096 with what is already there
        #expect(FileManager.default.fileExists(atPath: dir + "/svc.log.1"))
        #expect(read(dir + "/svc.log.1").count == 4000)
        #expect(read(dir + "/svc.log").count == 2000)
    }

    @Test func linesSplitAcrossReadsAreJoinedAndTheRingKeepsTheNewest() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = ChildOutput(name: "svc", logDir: dir, maxBytes: 1 << 20, files: 2, ringSize: 4, echo: false)
        out.take(Array("first li".utf8)[...], stream: "out")
        out.take(Array("ne\nsecond\nthi".utf8)[...], stream: "out")
        out.take(Array("an error\n".utf8)[...], stream: "err")
        out.take(Array("rd\n".utf8)[...], stream: "out")
        out.note("exited with code 1")
        #expect(out.recent(10).map(\.text) == ["first line", "second", "an error", "third"].suffix(3) + ["exited with code 1"])
        #expect(out.recent(10, stream: "err").map(\.text) == ["an error"])
        #expect(out.recent(2).map(\.text) == ["third", "exited with code 1"])
        out.take(Array("no newline at the end".utf8)[...], stream: "out")
        #expect(out.recent(1).map(\.text) == ["exited with code 1"], "a partial line waits for its end")
        out.finish(stream: "out")
        #expect(out.recent(1).map(\.text) == ["no newline at the end"], "until the stream closes")
        let logged = read(dir + "/svc.log").split(separator: "\n")
        #expect(logged.count == 6)
        // logfmt, one timestamp each: lines that are not logfmt are wrapped with their stream.
        #expect(
            logged[0].hasSuffix(" service=svc stream=out msg=\"first line\"") && logged[2].hasSuffix(" stream=err msg=\"an error\"")
                && logged[4].hasSuffix(" stream=supervisor msg=\"exited with code 1\""), "\(logged)")
        #expect(logged.allSatisfy { $0.hasPrefix("ts=") })
    }

    @Test func aVeryLongLineWithoutNewlineIsCutRatherThanHeldForever() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = ChildOutput(name: "svc", logDir: dir, maxBytes: 1 << 20, files: 2, echo: false)
        for _ in 0..<20 { out.take(Array(repeating: 0x61, count: 4096)[...], stream: "out") }
        let lines = out.recent(10)
        #expect(!lines.isEmpty && lines.allSatisfy { $0.text.utf8.count <= 64 * 1024 + 4096 })
    }
}
