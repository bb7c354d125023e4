#ifndef CLIAISON_SHIMS_H
#define CLIAISON_SHIMS_H

/* The few Linux/GNU calls that Swift's Glibc overlay does not show, each behind a small function. */

#include <stdint.h>
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>

/* accept4(2) with the given SOCK_* flags; returns the new fd or -1 with errno. */
int liaison_accept4(int fd, int flags);

/* pipe2(2) with O_CLOEXEC (and O_NONBLOCK when nonblocking != 0). */
int liaison_pipe2(int fds[2], int nonblocking);

/* SO_PEERCRED of a connected Unix socket. Returns 0 or -1 with errno. */
int liaison_peercred(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid);

/* prctl(PR_SET_PDEATHSIG, sig). */
int liaison_set_parent_death_signal(int sig);

/* prctl(PR_SET_CHILD_SUBREAPER, 1). */
int liaison_set_child_subreaper(void);

/* memfd_create(name, MFD_CLOEXEC): an anonymous file, e.g. a child's whole stdin prepared up front. */
int liaison_memfd(const char *name);

/* Names the calling thread (pthread_setname_np; at most 15 bytes are kept). */
void liaison_set_thread_name(const char *name);

/* mallopt(M_ARENA_MAX, n): at most n malloc arenas, however many threads allocate. */
int liaison_limit_malloc_arenas(int n);

/* malloc_trim(0): free memory at the top of the heap and in whole free pages goes back to the system. */
int liaison_malloc_trim(void);

/* Sets the calling thread's nice value (Linux schedules each thread by its own); 0 or -1 (errno). */
int liaison_set_thread_nice(int nice);

/* The numeric values Swift cannot read from macros. */
int liaison_sock_cloexec(void);
int liaison_sock_nonblock(void);

/*
 * fork + execve for a supervised child, async-signal-safe between the two:
 *   - child_fds[i] (i < nfds) becomes fd i in the child (-1: fd i is opened on /dev/null);
 *     every other descriptor is closed;
 *   - the signal mask is emptied and every disposition reset to default;
 *   - the child leads a new process group (setpgid(0, 0));
 *   - when listen_pid_index >= 0, envp[listen_pid_index] is replaced by "LISTEN_PID=<child pid>"
 *     (the systemd socket-activation convention needs the pid, known only after fork);
 *   - cwd, when not NULL, becomes the working directory;
 *   - when uid >= 0, the child drops to that user: setgroups(groups), setgid(gid), setuid(uid);
 *   - when new_group is not 0, the child leads a process group of its own (else it stays in
 *     the caller's, and goes when the caller's group is signalled).
 * Returns the child's pid, or -1 with *err set to the errno of the failed step (exec included:
 * a close-on-exec pipe carries it back).
 */
pid_t liaison_spawn(const char *path, char *const argv[], char *const envp[],
                    const int *child_fds, int nfds, int listen_pid_index,
                    const char *cwd, long uid, long gid, const unsigned int *groups, int ngroups,
                    int new_group, int *err);

/* SHA-256 of `blocks` whole 64-byte blocks of `data` into `state` (FIPS 180-4 order: a..h),
   with the CPU's SHA extensions. Returns 1 when done, 0 (state untouched) when the CPU has none:
   the caller then compresses the blocks itself. */
int liaison_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/* The same without the SHA extensions: FIPS 180-4's rounds, on any CPU. */
void liaison_sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks);

/* Whether liaison_sha256_blocks can work here (for tests that compare both ways). */
int liaison_sha256_hardware(void);

#endif
