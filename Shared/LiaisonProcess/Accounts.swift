import Glibc

/// A user as the system knows it: name, uid, primary gid, and every group it is in.
package struct UserAccount: Sendable, Equatable {
    package var name: String
    package var uid, gid: UInt32
    /// The primary group and the supplementary ones (`getgrouplist`).
    package var groups: [UInt32]
    package var home: String
}

/// Users and groups by name or number (`/etc/passwd`, `/etc/group` or whatever NSS serves).
package enum Accounts {
    /// The user named `nameOrID` ("liaison-delegations" or "998").
    package static func user(_ nameOrID: String) -> UserAccount? {
        if let uid = UInt32(nameOrID) {
            return user(uid: uid) ?? UserAccount(name: nameOrID, uid: uid, gid: uid, groups: [uid], home: "/")
        }
        return lookup { pw, buf, result in getpwnam_r(nameOrID, &pw, buf.baseAddress!, buf.count, &result) }
    }

    /// The user with `uid`, if it has an entry.
    package static func user(uid: UInt32) -> UserAccount? {
        lookup { pw, buf, result in getpwuid_r(uid, &pw, buf.baseAddress!, buf.count, &result) }
    }

    private static func lookup(
        _ call: (inout passwd, UnsafeMutableBufferPointer<CChar>, inout UnsafeMutablePointer<passwd>?) -> Int32
    ) -> UserAccount? {
        var pw = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 16 * 1024)
        let rc = buf.withUnsafeMutableBufferPointer { call(&pw, $0, &result) }
        guard rc == 0, result != nil else { return nil }
        let name = String(cString: pw.pw_name)
        return UserAccount(
            name: name,
            uid: pw.pw_uid,
            gid: pw.pw_gid,
            groups: groups(of: name, primary: pw.pw_gid),
            home: String(cString: pw.pw_dir)
        )
    }

    /// The gid of the group named `nameOrID` ("liaison" or "997").
    package static func group(_ nameOrID: String) -> UInt32? {
        if let gid = UInt32(nameOrID) { return gid }
        var gr = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buf = [CChar](repeating: 0, count: 64 * 1024)
        let rc = buf.withUnsafeMutableBufferPointer { getgrnam_r(nameOrID, &gr, $0.baseAddress, $0.count, &result) }
        guard rc == 0, result != nil else { return nil }
        return gr.gr_gid
    }

    /// The name of group `gid`, or its number.
    package static func groupName(_ gid: UInt32) -> String {
        var gr = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buf = [CChar](repeating: 0, count: 64 * 1024)
        let rc = buf.withUnsafeMutableBufferPointer { getgrgid_r(gid, &gr, $0.baseAddress, $0.count, &result) }
        return rc == 0 && result != nil ? String(cString: gr.gr_name) : String(gid)
    }

    /// The name of user `uid`, or its number.
    package static func userName(_ uid: UInt32) -> String { user(uid: uid)?.name ?? String(uid) }

    /// Every group `user` is in: its primary group and its supplementary ones.
    package static func groups(of user: String, primary: UInt32) -> [UInt32] {
        var n: Int32 = 64
        while true {
            var list = [gid_t](repeating: 0, count: Int(n))
            let got = getgrouplist(user, primary, &list, &n)
            if got >= 0 { return Array(list.prefix(Int(n))) }
            if n > 65536 { return [primary] }
        }
    }
}
