# KernelScript: set-up, build and tests.
#
#   make test    install what is missing, build, run the whole test suite
#   make check   the fast lane while working (< 60 s): unit tests, golden cases, a fuzz smoke run
#   make demo    install what is missing, build, compile and run the seed sketch in the kernel
#   make build   compile the TypeScript into build/ (bundle the CLI into build/bundle/, write the man page build/man/kernelscript.1,
#                build the browser playground into build/playground/)
#   make playground  only the browser playground: type-check playground/ and bundle it into build/playground/
#                (static files; serve the folder with any web server, see docs/playground.md)
#   make clean   remove build/
#   make vsix    package the VS Code extension (editors/vscode) as a .vsix; make grammar regenerates its grammar
#   make package the npm package kernelscript-VERSION.tgz (npm pack; install it with npm install -g FILE.tgz)
#   make fuzz-core N=100000 [SEED=…]   mutation-fuzz the compiler core (failures saved in build/fuzz-core)
#   make fuzz N=5000 [SEED=…] [JOBS=…]  random self-checking programs run in the kernel
#                                       (failing programs saved in build/fuzz-random)
#   make bench   generated eBPF against hand-written C (insns, JIT bytes, ns/run; needs root)
#                and the compiler's start-up, throughput and build time; see bench/README.md
#
# On a fresh Debian/Ubuntu machine `make test` and `make demo` install the system
# packages (when run as root) and the npm dependencies themselves; when everything is
# present these steps do nothing.

SHELL := /bin/bash

# What the compiled programs, the kernel tests and the demo need from the system.
# dwarves (pahole): kbuild writes the BTF of the generated kfunc module with it (tests/e2e/kmod-build.test.ts).
# python3 / python3-dev: exec() hands over to python3; Python imports embed libpython.
# systemtap-sdt-dev (sys/sdt.h): the USDT kernel test builds a binary with DTRACE_PROBE probes.
# zsh, fish: the completion scripts are checked with them (tests/e2e/completion.test.ts).
# podman, runc, skopeo: `kernelscript package` builds images, the tests inspect and run them
# (tests/e2e/package-images.test.ts, tests/kernel/package-podman.test.ts; curl scrapes the
# loader's metrics there); pkg-config: what `make static` links (libbpf.a and its libraries).
# chromium: the browser playground is tested and measured in it (tests/e2e/playground.test.ts, bench/playground.ts).
APT_PACKAGES := clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool iproute2 iputils-ping make gcc dwarves xz-utils python3 python3-dev systemtap-sdt-dev zsh fish podman runc skopeo curl pkg-config chromium
REQUIRED_COMMANDS := clang llvm-strip bpftool ip ping cc pahole xz python3 python3-config zsh fish podman runc skopeo curl pkg-config chromium
REQUIRED_FILES := /usr/lib/$(shell cc -print-multiarch 2>/dev/null)/libbpf.a /usr/include/bpf/libbpf.h /usr/include/libelf.h /usr/include/zlib.h /usr/include/$(shell cc -print-multiarch 2>/dev/null)/sys/sdt.h

TSC := node_modules/.bin/tsc
# npm ci writes this file last, so it is newer than package-lock.json once installed.
NPM_STAMP := node_modules/.package-lock.json
# The VS Code extension's own dependencies (editors/vscode has its own lock file).
VSCODE_DIR := editors/vscode
VSCODE_STAMP := $(VSCODE_DIR)/node_modules/.package-lock.json

.PHONY: all build test check demo clean system-packages node-version fuzz-core fuzz fuzz-interpret bench grammar vsix package playground

all: build

# Three test files at a time: kernel tests (tests/kernel) take a machine-wide lock while
# they use the kernel (tests/kernel/helpers.ts), and much of a kernel test is waiting
# (loaders, packets, timers), so while one file's kernel test runs the others build C or
# check goldens and keep both cores busy; identical C builds are made once
# (tests/harness/build-cache.ts, build/cache/builds).
#
# --test-timeout bounds each test file (node's runner times whole files): a file that
# hangs, or whose tests leave a process holding its pipes, fails after 45 minutes
# instead of holding the suite until CI's limit (a file's time includes its waits for the
# kernel lock; the whole suite takes about 16 minutes, its longest file, the emitted C
# built and verified, 18 minutes on a machine loaded 14 deep).
test: system-packages build $(VSCODE_STAMP)
	node --test --test-concurrency=3 --test-timeout=2700000 build/tests/

# The fast lane: everything that needs neither a C compiler nor the kernel: unit tests,
# the golden cases (parse, emit, errors with the CLI in-process, the nesting matrix, the
# reference examples' `check` output) and the fixed-seed fuzz runs of the lexer, parser
# and core (the first 300 of the core batch's 1000 inputs). Files run two at a time
# (nothing here shares state). `make test` runs all of this too, with the C builds and
# the kernel tests.
CHECK_TESTS = build/tests/unit/ $(wildcard build/tests/*.test.js) build/tests/fuzz/
check: build $(VSCODE_STAMP)
	KS_CORE_FUZZ_INPUTS=300 node --test --test-concurrency=2 --test-timeout=600000 $(CHECK_TESTS)

demo: system-packages build
	node build/src/runner/demo.js

# Mutation fuzzing of the compiler core (tools/fuzz-core.ts): N inputs, a random SEED
# unless given; failing inputs are saved to OUT with how to regenerate them.
N ?= 1000
SEED ?=
OUT ?= build/fuzz-core
fuzz-core: build
	node build/tools/fuzz-core.js --n $(N) --seed "$(SEED)" --out $(OUT)

# Random self-checking programs (tests/fuzz/random-programs): N programs with seeds
# SEED, SEED+1, … (a random SEED unless given) built with -Werror, loaded and run in the
# kernel, JOBS batches at a time; counts and time printed; each failing program saved
# (program.ks, the reduced program.min.ks when it fails before running, failure.txt,
# program.bpf.c) under FUZZ_OUT/seed-S.
JOBS ?=
FUZZ_OUT ?= build/fuzz-random
fuzz: build
	node build/tests/fuzz/random-programs/fuzz.js --n $(N) --seed "$(SEED)" $(if $(JOBS),--jobs $(JOBS)) --out $(FUZZ_OUT)

# The same random programs on the reference interpreter (no kernel, no root): each must
# return XDP_PASS with no failed check; failing programs saved under build/fuzz-interpret/seed-S.
fuzz-interpret: build
	node build/tests/fuzz/random-programs/fuzz-interpret.js --n $(N) --seed "$(SEED)"

# The benchmarks; see bench/README.md. eBPF: every program of bench/programs built from
# KernelScript and from hand-written C, checked to behave the same, timed in interleaved
# rounds (build/bench/ebpf.json). The compiler: start-up against `node -e ''`, `check`
# throughput and peak RSS, the warm `build` of the seed against the checkout of
# BASELINE_COMMIT (made in build/bench/baseline; `BASELINE_COMMIT=` to skip)
# (build/bench/compiler.json); then the in-process compile time of 1×, 10×, 100× a large
# program; the language server's latency per keystroke on a 5,000-line file; the browser
# playground's page weight and time to first compile in chromium.
# EBPF_ARGS / COMPILER_ARGS pass options (e.g. EBPF_ARGS="--only seed_filter").
BASELINE_COMMIT ?= e314f41
EBPF_ARGS ?=
COMPILER_ARGS ?=
bench: build
	node build/bench/ebpf.js $(EBPF_ARGS)
	node build/bench/compiler.js $(if $(BASELINE_COMMIT),--baseline-commit $(BASELINE_COMMIT)) $(COMPILER_ARGS)
	node build/bench/compile-time.js
	node build/bench/lsp.js
	node build/bench/playground.js

# The editor grammar (editors/vscode/syntaxes/) from the compiler's tables
# (tools/gen-grammar.ts; tests/unit/grammar.test.ts fails while it is out of date).
grammar: build
	node build/tools/gen-grammar.js

# The VS Code extension, a package of its own (editors/vscode, with its own lock file):
# install its dependencies, type-check and bundle src/ with esbuild, and package it with
# @vscode/vsce into editors/vscode/kernelscript-VERSION.vsix. `make test` and `make check`
# install its dependencies too: tests/unit/grammar-extension.test.ts packages it.
vsix: $(VSCODE_STAMP)
	cd $(VSCODE_DIR) && npm run package

$(VSCODE_STAMP): $(VSCODE_DIR)/package-lock.json $(VSCODE_DIR)/package.json
	cd $(VSCODE_DIR) && npm ci --no-audit --no-fund
	@touch $@

build: node-version $(NPM_STAMP)
	@# The loader runtime's constant C (src/compiler/emit/userspace/runtime-c/*.c) into the core.
	node tools/embed-runtime-c.mjs
	$(TSC) -p tsconfig.json
	@# The CLI and the core bundled for start-up (bin/kernelscript runs build/bundle/).
	node tools/bundle-cli.mjs
	@# The man page, from the same option tables as --help (shipped by npm pack).
	node build/tools/gen-man-page.js
	@# The browser playground (playground/) into build/playground/, from the same core.
	$(TSC) -p playground/tsconfig.json
	node tools/build-playground.mjs
	@# Drop compiled files whose source was deleted or renamed, so no stale test runs
	@# (not in the baseline checkout make bench keeps in build/bench/baseline: its own tree,
	@# nor in the playground's bundles).
	@find build \( -path build/bench/baseline -o -path build/playground \) -prune -o -name '*.js' -print 2>/dev/null | while read -r js; do \
	  source="$${js#build/}"; source="$${source%.js}.ts"; \
	  [ -e "$$source" ] || rm -f "$$js" "$$js.map"; \
	done

# The browser playground: playground/src/*.ts type-checked against the DOM (its own
# tsconfig: the rest of the project has no DOM types) and bundled with esbuild, with the
# examples, into build/playground/ (tools/build-playground.mjs; docs/playground.md).
playground: node-version $(NPM_STAMP)
	node tools/embed-runtime-c.mjs
	$(TSC) -p playground/tsconfig.json
	node tools/build-playground.mjs

$(NPM_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

node-version:
	@command -v node >/dev/null 2>&1 || { \
	  echo "error: Node.js >= 20 is required and \`node\` is not on PATH"; \
	  echo "  = fix: install Node.js 20 or newer (https://nodejs.org/en/download, or NodeSource's apt repository)"; \
	  exit 3; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { \
	  echo "error: Node.js >= 20 is required, found $$(node --version)"; \
	  echo "  = fix: install Node.js 20 or newer (https://nodejs.org/en/download)"; \
	  exit 3; }

# Installs the apt packages only when something is missing; without root it says what
# to run and carries on (tests that need the missing pieces skip and say why).
system-packages:
	@missing=""; \
	for command in $(REQUIRED_COMMANDS); do \
	  command -v $$command >/dev/null 2>&1 || missing="$$missing $$command"; \
	done; \
	for file in $(REQUIRED_FILES); do \
	  [ -e $$file ] || missing="$$missing $$file"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing system packages (missing:$$missing)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get update && apt-get install -y $(APT_PACKAGES); } || \
	    echo "warning: apt-get failed; continuing (tests that need the missing pieces will skip or fail)"; \
	else \
	  echo "warning: missing:$$missing"; \
	  echo "  = fix: sudo apt-get install -y $(APT_PACKAGES)"; \
	fi

# npm pack runs `make build` first (package.json prepack); package.json `files` says what
# goes in (tests/e2e/package.test.ts installs it and builds the seed with it).
package:
	npm pack

clean:
	rm -rf build
