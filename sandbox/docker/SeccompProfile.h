#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cc::docker {

/// CodeCourier's own seccomp profile, sent with every container instead of the engine's default.
///
/// An allow-list: a system call not named here fails with EPERM, so a call added to a future kernel
/// is refused until someone decides otherwise. It is stricter than the engine's default in the
/// ways a snippet could reach another process or the kernel's less-travelled code: ptrace,
/// process_vm_readv/writev, kcmp, pidfd_getfd and process_madvise (reading or steering another
/// process of the same user), io_uring, userfaultfd, bpf, perf_event_open, keyrings, namespaces
/// (unshare, setns, clone with a CLONE_NEW* flag), mounts, module loading, clocks, NUMA policy and
/// the obsolete calls are all refused. clone3 answers ENOSYS, so that the C library falls back to
/// clone, whose flags the filter can inspect. Pure: a unit test reads every rule.
nlohmann::json seccompProfile();

/// The profile as HostConfig.SecurityOpt carries it: "seccomp=" followed by the JSON document.
std::string seccompSecurityOpt();

/// The system calls the profile allows without condition (for tests and documentation).
const std::vector<std::string>& seccompAllowedSyscalls();

/// System calls that must never be allowed, whatever else changes (checked by a unit test).
const std::vector<std::string>& seccompRefusedSyscalls();

} // namespace cc::docker
