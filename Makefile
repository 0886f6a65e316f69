# rankmc: one non-recursive Makefile. `make help` lists the targets.
#
# Configurations (BUILD=...), each in its own build/<cfg>/ directory:
#   release  -O2 -DNDEBUG              (default; what `make run` uses)
#   debug    -O0 -g3, asserts on
#   test     -O2, asserts on            (what `make check` builds)
#   asan     -O1 ASan+UBSan, asserts on (what `make asan` builds)
#   tsan     clang -O1 ThreadSanitizer + libomp (what `make tsan` builds)
#   mpi      -O2 -DNDEBUG with mpicc over Open MPI (what `make mpi` builds)
# V=1 shows commands; WERROR=1 turns warnings into errors.

BUILD ?= release
BUILD_DIR ?= build/$(BUILD)
PREFIX ?= /usr/local
MODEL ?= models/default
CC ?= cc

GIT_HASH := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
PKG_CFLAGS := $(shell pkg-config --cflags gsl hdf5 inih nettle zlib 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs gsl hdf5 inih nettle zlib 2>/dev/null) -lcsv -lm
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wcast-qual -Wpointer-arith -Wwrite-strings -Wformat=2 \
        -Wundef -Wvla -Wdouble-promotion -Wconversion
ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT_release := -O2 -DNDEBUG
OPT_debug := -O0 -g3
OPT_test := -O2
OPT_asan := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT_tsan := -O1 -fsanitize=thread -fno-omit-frame-pointer
OPT_mpi := -O2 -DNDEBUG
OPT := $(OPT_$(BUILD))
ifeq ($(OPT),)
$(error unknown BUILD=$(BUILD): use release, debug, test, asan, tsan or mpi)
endif

CPPFLAGS += -Iinclude -Isrc $(PKG_CFLAGS) -DRMC_GIT_HASH='"$(GIT_HASH)"'
# The CLI (src/cli/) and the end-to-end benchmark (bench/bench_sim.c) use the
# public API only: no -Isrc, and src/internal.h (included by every internal
# header) refuses to compile under RMC_PUBLIC_API_ONLY.
PUBLIC_CPPFLAGS = $(filter-out -Isrc,$(CPPFLAGS)) -DRMC_PUBLIC_API_ONLY
CFLAGS_ALL := -std=c17 -fopenmp -g -ffp-contract=off -fvisibility=hidden $(WARN) $(OPT) $(CFLAGS)
LDFLAGS_ALL := -fopenmp $(filter -fsanitize=%,$(OPT)) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# rankmc/dist.h: over MPI in the mpi build only, a world of one elsewhere.
ifeq ($(BUILD),mpi)
LIB_SRC := $(filter-out src/dist_serial.c,$(sort $(wildcard src/*.c)))
else
LIB_SRC := $(filter-out src/dist_mpi.c,$(sort $(wildcard src/*.c)))
endif
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD_DIR)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD_DIR)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD_DIR)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD_DIR)/bench/%)

LIB := $(BUILD_DIR)/librankmc.a
BIN := $(BUILD_DIR)/rankmc

.PHONY: all deps run check test pytest browser-test asan tsan mpi mpi-check bench bench-run install format format-check lint compdb clean help

all: $(BIN) $(LIB)

deps:
	@sh tools/deps.sh

$(BUILD_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# version.o carries the git hash: rebuild it whenever the hash changes (a
# stale one made build/release and build/mpi disagree on rankmc_version).
$(BUILD_DIR)/git_hash: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GIT_HASH)' | cmp -s - $@ || echo '$(GIT_HASH)' > $@
$(BUILD_DIR)/obj/src/version.o: $(BUILD_DIR)/git_hash
.PHONY: FORCE
FORCE:

$(BUILD_DIR)/obj/src/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(PUBLIC_CPPFLAGS) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# rankmc bench --json records the optimisation flags of the build.
$(BUILD_DIR)/obj/src/cli/cmd_bench.o: PUBLIC_CPPFLAGS += -DRMC_BUILD_CFLAGS='"$(strip $(OPT) $(CFLAGS))"'

$(BUILD_DIR)/obj/bench/bench_sim.o: bench/bench_sim.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(PUBLIC_CPPFLAGS) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

$(BUILD_DIR)/tests/%: $(BUILD_DIR)/obj/tests/%.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD_DIR)/bench/%: $(BUILD_DIR)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS)

# `make run`: install what is missing, build, run the shipped default model,
# then draw its report (docs/python.md). The report's Python packages are
# optional: where they cannot be installed, the run still succeeds and one
# line says why the report was skipped.
PY_DEBS := python3-h5py python3-numpy python3-pandas python3-matplotlib
run: deps
	@$(MAKE) --no-print-directory BUILD=release all
	build/release/rankmc run $(MODEL) -o build/release/default.h5 --force
	@sh tools/deps.sh --optional $(PY_DEBS)
	@if msg=$$(build/release/rankmc report build/release/default.h5 \
	        -o build/release/default.html --force 2>&1); then \
	    echo "report: $(CURDIR)/build/release/default.html (open it in a browser)"; \
	else echo "report skipped: $$(printf '%s\n' "$$msg" | tail -n 1)"; fi

# `make check` (alias `make test`): every cmocka suite, then the CLI tests.
check: deps
	@$(MAKE) --no-print-directory BUILD=test test-run

test: check

.PHONY: test-run
test-run: $(BIN) $(TEST_BIN)
	@set -e; failed=0; for t in $(TEST_BIN); do \
	    echo "== $$t"; $$t || failed=$$((failed + 1)); done; \
	for s in tests/cli/*.sh; do \
	    [ -f "$$s" ] || continue; echo "== $$s"; \
	    RANKMC=$(BIN) sh $$s || failed=$$((failed + 1)); done; \
	if [ $$failed -ne 0 ]; then echo "$$failed test program(s) failed"; exit 1; fi; \
	echo "all test programs passed"

# The Python reader and report (pytest, tests/python/), run with the
# interpreter `rankmc report` itself would use; `make browser-test` opens
# each kind of report in headless Chromium. Not part of `make check`: they
# need Python packages and a browser (CI runs both).
PYTEST = PY=$$(build/test/rankmc report --python) && echo "python: $$PY" && \
	RANKMC=build/test/rankmc PYTHONPATH=python $$PY -m pytest -q
pytest: deps
	@sh tools/deps.sh $(PY_DEBS) python3-pytest man-db
	@$(MAKE) --no-print-directory BUILD=test all
	@$(PYTEST) -m "not browser" tests/python

browser-test: deps
	@sh tools/deps.sh $(PY_DEBS) python3-pytest chromium
	@$(MAKE) --no-print-directory BUILD=test all
	@$(PYTEST) -m browser tests/python

# ASan + UBSan on the fast tests (RMC_TEST_QUICK shrinks the statistical runs).
asan: deps
	@RMC_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(MAKE) --no-print-directory BUILD=asan test-run

# ThreadSanitizer needs an instrumented OpenMP runtime: clang with LLVM's
# libomp and its Archer tool, which tells TSan about OpenMP's synchronisation.
ARCHER ?= /usr/lib/llvm-14/lib/libarcher.so
tsan:
	@sh tools/deps.sh clang libomp-14-dev libclang-rt-14-dev
	@RMC_TEST_QUICK=1 OMP_TOOL_LIBRARIES=$(ARCHER) \
	    TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1" \
	    $(MAKE) --no-print-directory BUILD=tsan CC=clang test-run

# `make mpi`: build/mpi/rankmc with mpicc over Open MPI (docs/mpi.md); the
# packages are installed for this target only. `make mpi-check` then compares
# every dataset of mpirun -np 1/2/3 against the serial binary.
MPI_PKGS := libopenmpi-dev openmpi-bin
mpi:
	@sh tools/deps.sh $(MPI_PKGS)
	@$(MAKE) --no-print-directory BUILD=mpi CC=mpicc all

mpi-check: mpi
	@$(MAKE) --no-print-directory BUILD=mpi CC=mpicc build/mpi/tests/test_dist
	@$(MAKE) --no-print-directory BUILD=release all
	@sh tests/mpi/compare.sh build/release/rankmc build/mpi/rankmc

bench: $(BENCH_BIN)

bench-run: $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

install: $(BIN) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/rankmc
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/rankmc
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/librankmc.a
	install -m 644 include/rankmc/*.h include/rankmc/*.def $(DESTDIR)$(PREFIX)/include/rankmc/
	install -d $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/rankmc $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 python/rankmc/*.py $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/rankmc/
	install -m 644 man/rankmc.1 $(DESTDIR)$(PREFIX)/share/man/man1/rankmc.1
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define RMC_VERSION_STRING "\(.*\)"/\1/p' include/rankmc/rankmc.h)|g' \
	    tools/rankmc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/rankmc.pc

# libFuzzer harnesses for the model loader (docs/fuzzing.md). Not part of
# `make check`: `make fuzz` runs each harness for FUZZ_RUNS executions (or
# FUZZ_TIME seconds), one at a time; `make fuzz-smoke` runs each for a few
# seconds and replays tests/data/fuzz/ (the regression inputs).
FUZZ_CC ?= clang
FUZZ_DIR := build/fuzz
FUZZ_RUNS ?= 1000000
FUZZ_TIME ?= 0
FUZZ_SMOKE_RUNS ?= 2000
FUZZ_MAX_LEN ?= 4608
FUZZ_ARGS ?=
FUZZ_NAMES := csv ini model
FUZZ_SEEDS := tests/data models/tiny
FUZZ_CFLAGS := -std=c17 -fopenmp -g -O1 -ffp-contract=off $(WARN) -fno-omit-frame-pointer \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all $(CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_RUN = ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(FUZZ_DIR)/fuzz_$$n \
           -max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crash_$$n-

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/librankmc.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_DIR)/obj/fuzz/fuzz_common.o $(FUZZ_DIR)/librankmc.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) -fopenmp -fsanitize=fuzzer,address,undefined -Wl,--as-needed -o $@ $^ $(PKG_LIBS)

.PHONY: fuzz fuzz-build fuzz-smoke
fuzz-build:
	@sh tools/deps.sh clang libclang-rt-14-dev libomp-14-dev
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	@set -e; for n in $(FUZZ_NAMES); do echo "== fuzz_$$n"; \
	    sh fuzz/seed.sh $$n $(FUZZ_DIR)/corpus_$$n $(FUZZ_SEEDS); \
	    $(FUZZ_RUN) -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_TIME) $(FUZZ_ARGS) \
	        $(FUZZ_DIR)/corpus_$$n; done

fuzz-smoke: fuzz-build
	@set -e; for n in $(FUZZ_NAMES); do echo "== fuzz_$$n (smoke)"; \
	    rm -rf $(FUZZ_DIR)/smoke_$$n; sh fuzz/seed.sh $$n $(FUZZ_DIR)/smoke_$$n $(FUZZ_SEEDS); \
	    for f in tests/data/fuzz/$$n-*; do [ -f "$$f" ] || continue; $(FUZZ_RUN) "$$f"; done; \
	    $(FUZZ_RUN) -seed=1 -runs=$(FUZZ_SMOKE_RUNS) $(FUZZ_ARGS) $(FUZZ_DIR)/smoke_$$n; done

FORMAT_FILES = $(wildcard src/*.c src/*.h src/cli/*.c src/cli/*.h include/rankmc/*.h tests/*.c tests/*.h bench/*.c bench/*.h)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

lint:
	clang-tidy $(LIB_SRC) $(CLI_SRC) -- $(CPPFLAGS) -std=c17

compdb:
	bear -- $(MAKE) -B all

clean:
	rm -rf build

help:
	@echo "make            build build/release/rankmc and librankmc.a"
	@echo "make run        install missing packages, build, run models/default (MODEL=dir), write its report"
	@echo "make check      install missing packages, build and run every test"
	@echo "make pytest     the Python reader's and report's tests; make browser-test: reports in Chromium"
	@echo "make asan       the tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "make tsan       the tests under ThreadSanitizer (clang, libomp, Archer)"
	@echo "make mpi        build/mpi/rankmc over Open MPI; make mpi-check compares it with serial"
	@echo "make bench      build the benchmarks; make bench-run runs them"
	@echo "make fuzz       libFuzzer on the model loader (FUZZ_RUNS=N, FUZZ_TIME=S); make fuzz-smoke: a few seconds"
	@echo "make install PREFIX=DIR   bin/rankmc, lib/librankmc.a, headers, pkg-config file,"
	@echo "                the Python package (lib/python3/dist-packages/rankmc), man page (share/man/man1)"
	@echo "make format | format-check | lint | compdb | clean"
	@echo "BUILD=release|debug|test|asan|tsan|mpi  V=1  WERROR=1"

.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:$(BUILD_DIR)/tests/%=$(BUILD_DIR)/obj/tests/%.d) $(FUZZ_LIB_OBJ:.o=.d) $(wildcard $(FUZZ_DIR)/obj/fuzz/*.d) $(BENCH_BIN:$(BUILD_DIR)/bench/%=$(BUILD_DIR)/obj/bench/%.d)
