#include "SeccompProfile.h"

namespace cc::docker {

namespace {

// Linux's CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID
// | CLONE_NEWNET: a clone asking for any of them would make new namespaces.
constexpr unsigned long long kCloneNamespaceFlags = 0x7E020000ULL;
constexpr int kAfVsock = 40;      // sockets to the hypervisor, never needed by a snippet
constexpr int kEperm = 1;
constexpr int kEnosys = 38;

nlohmann::json rule(const std::vector<std::string>& names, nlohmann::json args = nlohmann::json::array())
{
    nlohmann::json r = {{"names", names}, {"action", "SCMP_ACT_ALLOW"}};
    if (!args.empty())
        r["args"] = std::move(args);
    return r;
}

nlohmann::json argument(int index, unsigned long long value, const char* op, unsigned long long valueTwo = 0)
{
    return {{"index", index}, {"value", value}, {"valueTwo", valueTwo}, {"op", op}};
}

} // namespace

const std::vector<std::string>& seccompAllowedSyscalls()
{
    // Grouped by what a program does with them. Credentials calls are harmless here: with every
    // capability dropped and no-new-privileges set, they can only keep or lower privileges.
    static const std::vector<std::string> allowed = {
        // files and descriptors
        "read", "write", "open", "openat", "openat2", "close", "close_range", "creat", "stat", "fstat", "lstat",
        "newfstatat", "statx", "statfs", "fstatfs", "lseek", "pread64", "pwrite64", "readv", "writev", "preadv",
        "pwritev", "preadv2", "pwritev2", "sendfile", "splice", "tee", "vmsplice", "copy_file_range", "access",
        "faccessat", "faccessat2", "dup", "dup2", "dup3", "pipe", "pipe2", "fcntl", "flock", "ioctl", "fsync",
        "fdatasync", "sync", "syncfs", "sync_file_range", "truncate", "ftruncate", "fallocate", "fadvise64",
        "readahead", "getdents", "getdents64", "getcwd", "chdir", "fchdir", "rename", "renameat", "renameat2",
        "mkdir", "mkdirat", "rmdir", "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat", "readlink",
        "readlinkat", "mknod", "mknodat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat",
        "umask", "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr", "getxattr",
        "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
        "fremovexattr", "memfd_create",
        // waiting for descriptors and events
        "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
        "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
        "timerfd_settime", "timerfd_gettime", "inotify_init", "inotify_init1", "inotify_add_watch",
        "inotify_rm_watch", "io_setup", "io_destroy", "io_getevents", "io_pgetevents", "io_submit", "io_cancel",
        // memory
        "mmap", "munmap", "mprotect", "mremap", "brk", "msync", "mincore", "madvise", "mlock", "mlock2", "munlock",
        "mlockall", "munlockall", "remap_file_pages", "membarrier", "pkey_alloc", "pkey_free", "pkey_mprotect",
        // System V and POSIX IPC (the container has a private IPC namespace)
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl", "msgget", "msgsnd",
        "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
        // processes and threads (clone is allowed below, without namespace flags)
        "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "kill", "tkill", "tgkill",
        "getpid", "getppid", "gettid", "getpgrp", "getpgid", "setpgid", "getsid", "setsid", "set_tid_address",
        "set_robust_list", "get_robust_list", "futex", "futex_waitv", "arch_prctl", "prctl", "set_thread_area",
        "get_thread_area", "rseq", "restart_syscall", "pidfd_open", "pidfd_send_signal", "capget", "capset",
        // a program restricting itself further
        "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
        // scheduling
        "sched_yield", "sched_setparam", "sched_getparam", "sched_setscheduler", "sched_getscheduler",
        "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "sched_setaffinity",
        "sched_getaffinity", "sched_setattr", "sched_getattr", "getpriority", "setpriority", "ioprio_get",
        "ioprio_set", "getcpu",
        // credentials
        "getuid", "getgid", "geteuid", "getegid", "getresuid", "getresgid", "getgroups", "setuid", "setgid",
        "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid",
        // signals and timers
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo",
        "rt_tgsigqueueinfo", "rt_sigsuspend", "sigaltstack", "pause", "alarm", "nanosleep", "clock_nanosleep",
        "getitimer", "setitimer", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
        "timer_delete",
        // reading clocks and the system's description
        "time", "gettimeofday", "clock_gettime", "clock_getres", "times", "uname", "sysinfo", "getrusage",
        "getrlimit", "setrlimit", "prlimit64", "getrandom",
        // sockets (socket itself is allowed below, without AF_VSOCK); no network exists unless granted
        "connect", "accept", "accept4", "bind", "listen", "shutdown", "sendto", "recvfrom", "sendmsg", "recvmsg",
        "sendmmsg", "recvmmsg", "getsockname", "getpeername", "socketpair", "setsockopt", "getsockopt",
    };
    return allowed;
}

const std::vector<std::string>& seccompRefusedSyscalls()
{
    static const std::vector<std::string> refused = {
        // another process's memory or state
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
        "process_mrelease",
        // large kernel attack surface a snippet does not need
        "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd", "bpf", "perf_event_open",
        "add_key", "request_key", "keyctl", "fanotify_init", "fanotify_mark", "name_to_handle_at",
        "open_by_handle_at", "lookup_dcookie", "memfd_secret", "modify_ldt",
        // namespaces, mounts and the root directory
        "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
        "fsconfig", "fsmount", "fspick", "mount_setattr", "quotactl", "quotactl_fd",
        // the machine itself
        "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module",
        "query_module", "get_kernel_syms", "swapon", "swapoff", "acct", "syslog", "sethostname", "setdomainname",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm", "vhangup",
        // NUMA placement
        "mbind", "set_mempolicy", "get_mempolicy", "migrate_pages", "move_pages", "set_mempolicy_home_node",
        // obsolete or never implemented
        "uselib", "ustat", "sysfs", "_sysctl", "nfsservctl", "getpmsg", "putpmsg", "afs_syscall", "tuxcall",
        "security", "vserver", "epoll_ctl_old", "epoll_wait_old",
    };
    return refused;
}

nlohmann::json seccompProfile()
{
    using nlohmann::json;
    json syscalls = json::array();
    syscalls.push_back(rule(seccompAllowedSyscalls()));
    // clone only without namespace flags: (flags & kCloneNamespaceFlags) == 0.
    syscalls.push_back(rule({"clone"}, json::array({argument(0, kCloneNamespaceFlags, "SCMP_CMP_MASKED_EQ", 0)})));
    // clone3 passes its flags in memory the filter cannot read: "not implemented" makes the C
    // library use clone instead.
    syscalls.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", kEnosys}});
    syscalls.push_back(rule({"socket"}, json::array({argument(0, kAfVsock, "SCMP_CMP_NE")})));
    // personality only to ask, or for the plain Linux execution domains.
    for (unsigned long long persona : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL})
        syscalls.push_back(rule({"personality"}, json::array({argument(0, persona, "SCMP_CMP_EQ")})));

    return {
        {"defaultAction", "SCMP_ACT_ERRNO"},
        {"defaultErrnoRet", kEperm},
        // Only the host's native architecture: 32-bit and x32 system calls are refused outright.
        {"archMap", json::array({{{"architecture", "SCMP_ARCH_X86_64"}, {"subArchitectures", json::array()}},
                                 {{"architecture", "SCMP_ARCH_AARCH64"}, {"subArchitectures", json::array()}}})},
        {"syscalls", syscalls},
    };
}

std::string seccompSecurityOpt()
{
    return "seccomp=" + seccompProfile().dump();
}

} // namespace cc::docker
