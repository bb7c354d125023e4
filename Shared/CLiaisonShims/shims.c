#define _GNU_SOURCE
#include "CLiaisonShims.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

int liaison_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

int liaison_pipe2(int fds[2], int nonblocking) {
    return pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
}

int liaison_peercred(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *uid = cred.uid;
    *gid = cred.gid;
    *pid = cred.pid;
    return 0;
}

int liaison_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

int liaison_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
int liaison_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
int liaison_limit_malloc_arenas(int n) { return mallopt(M_ARENA_MAX, n); }

int liaison_malloc_trim(void) { return malloc_trim(0); }

int liaison_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

void liaison_set_thread_name(const char *name) {
    char buf[16];
    strncpy(buf, name, 15);
    buf[15] = 0;
    pthread_setname_np(pthread_self(), buf);
}

int liaison_sock_cloexec(void) { return SOCK_CLOEXEC; }
int liaison_sock_nonblock(void) { return SOCK_NONBLOCK; }

/* Writes the decimal digits of v after prefix into buf; async-signal-safe. */
static void format_pid(char *buf, const char *prefix, long v) {
    size_t n = strlen(prefix);
    memcpy(buf, prefix, n);
    char digits[24];
    int k = 0;
    do { digits[k++] = (char)('0' + v % 10); v /= 10; } while (v > 0 && k < 23);
    while (k > 0) buf[n++] = digits[--k];
    buf[n] = 0;
}

static void child_fail(int pipe_fd, int e) {
    ssize_t ignored = write(pipe_fd, &e, sizeof(e));
    (void)ignored;
    _exit(127);
}

pid_t liaison_spawn(const char *path, char *const argv[], char *const envp[],
                    const int *child_fds, int nfds, int listen_pid_index,
                    const char *cwd, long uid, long gid, const unsigned int *groups, int ngroups,
                    int new_group, int *err) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) { *err = errno; return -1; }
    char listen_pid[48];

    /* Signals stay blocked across fork so no handler of the parent runs in the child. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        int w = report[1];
        /* Move the report pipe and every source fd above the target range first. */
        int floor = nfds + 3;
        if (w < floor) {
            int moved = fcntl(w, F_DUPFD_CLOEXEC, floor);
            if (moved < 0) child_fail(w, errno);
            w = moved;
        }
        int sources[64];
        if (nfds > 64) child_fail(w, EINVAL);
        for (int i = 0; i < nfds; i++) {
            sources[i] = -1;
            int src = child_fds[i];
            if (src < 0) {
                src = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (src < 0) child_fail(w, errno);
            }
            int moved = fcntl(src, F_DUPFD_CLOEXEC, floor);
            if (moved < 0) child_fail(w, errno);
            sources[i] = moved;
        }
        for (int i = 0; i < nfds; i++) {
            if (dup2(sources[i], i) < 0) child_fail(w, errno); /* dup2 clears FD_CLOEXEC */
        }
        /* Close everything else except the report pipe (close-on-exec). */
        if (syscall(SYS_close_range, nfds, w - 1, 0) != 0 || syscall(SYS_close_range, w + 1, ~0U, 0) != 0) {
            long max = sysconf(_SC_OPEN_MAX);
            if (max < 0 || max > 1048576) max = 65536;
            for (int fd = nfds; fd < max; fd++) if (fd != w) close(fd);
        }
        if (new_group && setpgid(0, 0) != 0) child_fail(w, errno);
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig == SIGKILL || sig == SIGSTOP) continue;
            signal(sig, SIG_DFL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (cwd != NULL && chdir(cwd) != 0) child_fail(w, errno);
        if (uid >= 0) {
            if (setgroups((size_t)ngroups, (const gid_t *)groups) != 0) child_fail(w, errno);
            if (setgid((gid_t)gid) != 0) child_fail(w, errno);
            if (setuid((uid_t)uid) != 0) child_fail(w, errno);
        }
        if (listen_pid_index >= 0) {
            format_pid(listen_pid, "LISTEN_PID=", (long)getpid());
            ((char **)envp)[listen_pid_index] = listen_pid;
        }
        execve(path, argv, envp);
        child_fail(w, errno);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    if (pid < 0) { close(report[0]); *err = fork_errno; return -1; }
    int child_errno = 0;
    ssize_t n;
    do { n = read(report[0], &child_errno, sizeof(child_errno)); } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof(child_errno)) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *err = child_errno;
        return -1;
    }
    *err = 0;
    return pid;
}
