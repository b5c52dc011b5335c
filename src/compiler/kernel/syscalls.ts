//! System calls as probe targets. Since Linux 4.17 most architectures enter a system
//! call through a wrapper named with an architecture prefix (`__x64_sys_openat` on
//! x86-64, `__arm64_sys_openat` on arm64) that takes the user's registers as one
//! `struct pt_regs *`; there is no function `sys_openat` to attach to, and the
//! wrapper's own parameter is not the call's arguments. libbpf's `ksyscall` programs
//! (`SEC("ksyscall/openat")`, `BPF_KSYSCALL`) attach to whichever symbol the running
//! kernel has and read the arguments from the inner registers; `@probe("sys_NAME")`
//! compiles to one when the kernel has no plain `sys_NAME` function.

/**
 * The prefixes libbpf tries for a system call's wrapper (its `arch_specific_syscall_pfx`),
 * by architecture. Used to tell whether the kernel's BTF has the system call at all.
 */
export const syscallWrapperPrefixes: readonly string[] = [
  "__x64_", "__ia32_", "__arm64_", "__s390x_", "__s390_", "__arm_", "__mips_", "__riscv_", "__powerpc_", "__powerpc64_",
];

/** At most this many arguments: what libbpf's BPF_KSYSCALL (1.1) unpacks. */
export const maxSyscallArguments = 5;

/** `sys_openat` → `openat`; undefined when the name is not a system call's. */
export function syscallName(target: string): string | undefined {
  return /^sys_[a-z0-9_]+$/.test(target) ? target.slice("sys_".length) : undefined;
}
