"""Confine the process that evaluates untrusted SPARQL: no network, capped memory.

A query worker calls ``confine()`` once, before it loads the engine. On Linux
it installs a seccomp filter that makes ``socket()`` (every address family)
and ``io_uring_setup()`` fail with EACCES for every thread of the process, so
no library inside it — Oxigraph's SERVICE client included — can open a
connection, whatever the query says. ``RLIMIT_AS`` caps its address space,
so a query that would build a huge intermediate result fails inside the
worker instead of taking the machine's memory.

The filter is a classic BPF program written with ctypes (the kernel ABI is
small and stable; no extra package needed): check the architecture, refuse
x32 system calls, refuse the two calls, allow the rest.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import socket
import struct

# BPF instruction codes and seccomp constants (linux/filter.h, linux/seccomp.h, linux/audit.h)
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1
_X32_BIT = 0x40000000
# machine -> (audit arch, seccomp syscall number, blocked syscall numbers: socket, io_uring_setup)
_ARCHES = {
    "x86_64": (0xC000003E, 317, (41, 425)),
    "aarch64": (0xC00000B7, 277, (198, 425)),
}


class SandboxError(OSError):
    """The network could not be taken away from this process."""


def _filter(arch: int, blocked: tuple[int, ...]) -> bytes:
    deny = _RET_ERRNO | errno.EACCES
    prog = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),  # our architecture: go on; any other ABI: deny everything
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (_JGE_K, len(blocked) + 1, 0, _X32_BIT),  # x32 calls: deny
    ]
    for i, nr in enumerate(blocked):
        prog.append((_JEQ_K, len(blocked) - i, 0, nr))  # jump to the deny below
    prog += [(_RET_K, 0, 0, _RET_ALLOW), (_RET_K, 0, 0, deny)]
    return b"".join(struct.pack("HBBI", *ins) for ins in prog)


def deny_network() -> str:
    """Install the seccomp filter; return what now guards this process. Raises SandboxError."""
    machine = platform.machine().lower()
    if os.name != "posix" or platform.system() != "Linux" or machine not in _ARCHES:
        raise SandboxError(f"no seccomp filter for {platform.system()} {machine}")
    arch, sys_seccomp, blocked = _ARCHES[machine]
    code = _filter(arch, blocked)
    buf = ctypes.create_string_buffer(code, len(code))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = _Prog(len(code) // 8, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    libc.syscall.restype = ctypes.c_long
    if libc.syscall(sys_seccomp, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC,
                    ctypes.byref(prog)) != 0:
        raise SandboxError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER) failed")
    try:  # prove it: a socket must now be impossible
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return "seccomp"
    raise SandboxError("seccomp filter installed but socket() still works")


def cap_memory(max_bytes: int) -> None:
    """Cap this process's address space (RLIMIT_AS); allocations past it fail."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


__all__ = ["SandboxError", "cap_memory", "deny_network"]
