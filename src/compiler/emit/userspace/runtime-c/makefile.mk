# The rules every KernelScript program's Makefile shares: the lines above name this
# program's files (KS_*), these build them.

BTF ?= /sys/kernel/btf/vmlinux
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH ?= $(shell uname -m | sed -e 's/^x86_64$$/x86/' -e 's/^i.86$$/x86/' -e 's/^aarch64$$/arm64/' -e 's/^arm.*$$/arm/' -e 's/^ppc64.*$$/powerpc/' -e 's/^s390x$$/s390/' -e 's/^riscv64$$/riscv/' -e 's/^loongarch64$$/loongarch/' -e 's/^mips.*$$/mips/')
CFLAGS ?=
BPF_CFLAGS ?=
LDFLAGS ?=
LIBBPF_INCLUDE ?=
LIBBPF_LIB ?=
ARGS ?=
# libbpf's own dependencies for a static link (libelf, zlib; zstd where libelf uses it),
# asked of pkg-config when it is there.
STATIC_LIBS ?= $(or $(shell pkg-config --static --libs libbpf 2>/dev/null),-lbpf -lelf -lz)

# libbpf's usdt.bpf.h includes <linux/errno.h>, whose <asm/errno.h> is in the multiarch
# directory (/usr/include/x86_64-linux-gnu) that clang -target bpf does not search; searched
# after everything else, so it adds headers and replaces none.
BPF_SYSTEM_INCLUDES ?= -idirafter /usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)

comma := ,
LIBBPF_CPPFLAGS := $(if $(LIBBPF_INCLUDE),-I$(LIBBPF_INCLUDE))
LIBBPF_LDFLAGS := $(if $(LIBBPF_LIB),-L$(LIBBPF_LIB) -Wl$(comma)-rpath$(comma)$(LIBBPF_LIB))

ifdef KS_PYTHON
# Embedded CPython for the imported Python modules (python3-dev / libpython3-dev).
PYTHON3_CONFIG ?= python3-config
PYTHON_CPPFLAGS := $(shell $(PYTHON3_CONFIG) --includes)
PYTHON_LDFLAGS := $(shell $(PYTHON3_CONFIG) --embed --ldflags)
endif

ifdef KS_COMPAT_OPS
# $(KS_COMPAT_OPS) was not in the kernel BTF this program was compiled against; when this
# vmlinux.h has it, the eBPF C uses vmlinux.h's declarations instead of its own.
KS_COMPAT_CFLAGS = $(shell grep -qs '^struct $(KS_COMPAT_OPS) {' vmlinux.h && echo -D$(KS_COMPAT_GUARD))
endif

# The loader and the test binary link the same way.
KS_LINK = $(CC) -O2 -g -Wall -I. $(PYTHON_CPPFLAGS) $(LIBBPF_CPPFLAGS) $(CFLAGS) $< -o $@ $(LIBBPF_LDFLAGS) -lbpf -lelf -lz $(PYTHON_LDFLAGS) $(LDFLAGS)

.PHONY: all clean run test static
# A failed recipe must not leave a half-written target that looks up to date.
.DELETE_ON_ERROR:

all: $(KS_BINARY)

# Generated once; `make clean` (or deleting it) regenerates it, e.g. after BTF= changes.
vmlinux.h:
	$(BPFTOOL) btf dump file $(BTF) format c > $@.tmp
	mv $@.tmp $@

# -mcpu=v2: the jumps on "less than" (JLT, JLE, JSLT, JSLE; every kernel since 4.14), so
# a comparison with a constant needs no register to hold it (clang 14 defaults to v1,
# newer clang to v3). BPF_CFLAGS come after it and may choose another.
$(KS_BPF_OBJECT): $(KS_BPF_SOURCE) vmlinux.h
	$(CLANG) -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -mcpu=v2 -I. $(LIBBPF_CPPFLAGS) $(KS_COMPAT_CFLAGS) $(BPF_SYSTEM_INCLUDES) $(BPF_CFLAGS) -c $< -o $@

$(KS_SKELETON_HEADER): $(KS_BPF_OBJECT)
	$(BPFTOOL) gen skeleton $< name $(KS_SKELETON) > $@.tmp
	mv $@.tmp $@

# The shared-types header exists only when the program shares types; $(wildcard) makes
# it a prerequisite exactly then.
$(KS_BINARY): $(KS_USER_SOURCE) $(KS_SKELETON_HEADER) $(wildcard $(KS_SHARED_HEADER))
	$(KS_LINK)

# The loader with nothing to find on the machine it runs on (libc, libbpf, libelf and
# zlib linked in): what `kernelscript package` puts alone in a FROM scratch image. A
# program embedding CPython cannot be linked this way (kernelscript package refuses it).
static: $(KS_STATIC_BINARY)

$(KS_STATIC_BINARY): $(KS_USER_SOURCE) $(KS_SKELETON_HEADER) $(wildcard $(KS_SHARED_HEADER))
	$(CC) -O2 -g -Wall -I. $(LIBBPF_CPPFLAGS) $(CFLAGS) $< -o $@ -static $(if $(LIBBPF_LIB),-L$(LIBBPF_LIB)) $(STATIC_LIBS) $(LDFLAGS)

run: $(KS_BINARY)
	./$(KS_BINARY) $(ARGS)

ifdef KS_TEST_BINARY
# KS_TEST_FIRST: built before the test binary when it can be (the kernel module).
$(KS_TEST_BINARY): $(KS_TEST_SOURCE) $(KS_SKELETON_HEADER) $(wildcard $(KS_SHARED_HEADER)) | $(KS_TEST_FIRST)
	$(KS_LINK)

test: $(KS_TEST_BINARY)
	./$(KS_TEST_BINARY) $(ARGS)
endif

clean:
	rm -f $(KS_BINARY) $(KS_STATIC_BINARY) $(KS_TEST_BINARY) $(KS_BPF_OBJECT) $(KS_SKELETON_HEADER) vmlinux.h vmlinux.h.tmp $(KS_SKELETON_HEADER).tmp
