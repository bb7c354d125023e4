import Glibc

/// A small tmpfs mounted for a test (root only), to fill up and free again.
package final class SmallDisk {
    package let path: String
    private var filler: String { path + "/.filler" }

    /// Mounts a tmpfs of `megabytes` on `path` (an existing, empty directory).
    package init(at path: String, megabytes: Int) throws {
        self.path = path
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m,mode=0700") == 0 else {
            throw HarnessFailure("mount tmpfs on \(path): \(String(cString: strerror(errno)))")
        }
    }

    private var mounted = true

    deinit { unmount() }

    /// Unmounts it (everything on it goes); later calls do nothing.
    package func unmount() {
        guard mounted else { return }
        mounted = false
        umount2(path, Int32(MNT_DETACH))
    }

    /// Fills every free byte with a file (until the kernel says ENOSPC).
    package func fill() throws {
        // Close-on-exec: a child another test spawns meanwhile must not keep the space taken.
        let fd = open(filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HarnessFailure("open \(filler): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x2E, count: 4096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        guard errno == ENOSPC else { throw HarnessFailure("filling \(path) stopped with \(String(cString: strerror(errno)))") }
    }

    /// Frees what `fill` took.
    package func free() { unlink(filler) }

    /// The size of a file on it, or nil when there is none.
    package func size(_ name: String) -> Int? {
        var st = stat()
        return stat(path + "/" + name, &st) == 0 ? Int(st.st_size) : nil
    }
}

/// A test's set-up or wait failed (not the code under test).
package struct HarnessFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}
