/// Exit codes with a meaning (sysexits.h), the same for every Liaison binary; the supervisor and
/// monitors read them.
package enum ExitCode {
    package static let ok: Int32 = 0
    /// The request was refused or failed (a service answered with an error).
    package static let failure: Int32 = 1
    /// Wrong usage of the command line (EX_USAGE).
    package static let usage: Int32 = 64
    /// Bad input: invalid params, a file that is not what it should be (EX_DATAERR).
    package static let dataError: Int32 = 65
    /// An input file that does not exist or cannot be read (EX_NOINPUT).
    package static let noInput: Int32 = 66
    /// Nothing is running or the service cannot be reached (EX_UNAVAILABLE).
    package static let unavailable: Int32 = 69
    /// A bug in the program itself (EX_SOFTWARE).
    package static let software: Int32 = 70
    /// An output file or directory that cannot be written (EX_CANTCREAT).
    package static let cantCreate: Int32 = 73
    /// A temporary failure (busy, timeout): try again (EX_TEMPFAIL).
    package static let tempFail: Int32 = 75
    /// `status`: a service is not running (as `systemctl status` says it).
    package static let notRunning: Int32 = 3
    /// Not allowed: a file or a service refused this user (EX_NOPERM).
    package static let noPermission: Int32 = 77
    /// A configuration error: restarting will not help (EX_CONFIG); the supervisor leaves the
    /// service `failed`.
    package static let config: Int32 = 78
}
