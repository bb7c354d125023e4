import Glibc
import LiaisonJSON
import LiaisonWire

/// A rotating log file: appends lines, and at `maxBytes` shifts `name.log` → `name.log.1` → …
/// so that at most `files` files exist (the current one and `files - 1` older), bounding the
/// space to `maxBytes × files`.
final class RotatingFile {
    let path: String
    private(set) var maxBytes, files: Int
    private var fd: Int32 = -1
    private var size = 0

    init(path: String, maxBytes: Int, files: Int) {
        self.path = path
        self.maxBytes = max(maxBytes, 4096)
        self.files = max(files, 1)
        open()
    }

    deinit { if fd >= 0 { FD.close(fd) } }

    /// New limits (a reload): a file over the new size rotates at its next line, and older
    /// files beyond the new count go at once.
    func limit(maxBytes: Int, files: Int) {
        let keep = max(files, 1)
        for i in stride(from: self.files, to: keep - 1, by: -1) where i >= keep { unlink("\(path).\(i)") }
        self.maxBytes = max(maxBytes, 4096)
        self.files = keep
    }

    private func open() {
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        var st = stat()
        size = fd >= 0 && fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    func append(_ bytes: [UInt8]) {
        if size + bytes.count > maxBytes && size > 0 { rotate() }
        guard fd >= 0 else { return }
        if (try? FD.writeAll(fd, bytes)) != nil { size += bytes.count }
    }

    private func rotate() {
        if fd >= 0 { FD.close(fd) }
        for i in stride(from: files - 1, through: 1, by: -1) { rename("\(path).\(i)", "\(path).\(i + 1)") }
        unlink("\(path).\(files)")
        rename(path, "\(path).1")
        open()
    }
}
