# Wraps CMake for the common commands. `make demo` and `make test` work on a
# fresh Debian machine: they install whatever Debian packages are missing.
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

# Debian packages the project builds with (see docs/building.md for why each).
PACKAGES := cmake g++ make libboost1.81-dev libboost-program-options1.81-dev \
            nlohmann-json3-dev catch2 libbenchmark-dev libsimdjson-dev time \
            clang libclang-rt-14-dev python3

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

FUZZ_SECONDS ?= 60

.PHONY: all deps configure build demo test golden heldout asan tsan fuzz bench clean

all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_ARGS)

configure: deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@echo "== trialmatch --version"; $(BUILD_DIR)/trialmatch --version
	@echo; echo "== trialmatch compile --coverage (the bundled trials)"
	$(BUILD_DIR)/trialmatch compile --coverage
	@echo; echo "== trialmatch match: an example patient against the bundled trials"
	$(BUILD_DIR)/trialmatch match patients/examples/p01-brittle-adult.json
	@echo; echo "== trialmatch explain: why the top trial fits"
	$(BUILD_DIR)/trialmatch explain patients/examples/p01-brittle-adult.json NCT06196996

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Regenerates the golden files (tests/golden/) from the current build; review
# the diff before committing. Tests never rewrite a golden otherwise.
golden: build
	TRIALMATCH_UPDATE_GOLDEN=1 $(BUILD_DIR)/tests/trialmatch_tests "[golden]"
	git diff --stat -- tests/golden

# Compiles and scores every committed blind sample (bench/heldout/README.md):
# adjusted precision and recall per sample, never the misses.
heldout: build
	python3 bench/heldout/rescore.py $(BUILD_DIR)/trialmatch

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	cmake -S . -B $(ASAN_DIR) -DTRIALMATCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS)

# The code that runs on several threads (screening, parallel start-up)
# under ThreadSanitizer: the screening and trial-loading tests (not those
# over whole datasets, which take minutes instrumented and add no threads).
tsan: deps
	cmake -S . -B build-tsan -DTRIALMATCH_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build build-tsan -j $(JOBS) --target trialmatch_tests
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/trialmatch_tests "[screen]~[datasets],[native]"

# libFuzzer targets (clang, ASan+UBSan), each run for FUZZ_SECONDS.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIALMATCH_FUZZ=ON \
	  -DTRIALMATCH_BUILD_TESTS=OFF $(CMAKE_ARGS)
	cmake --build build-fuzz -j $(JOBS)
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# Benchmarks build in their own Release tree and run (docs/performance.md):
#   build-bench/bench/bench_compile, build-bench/bench/corpus_report, bench/screen_bench.sh
bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTRIALMATCH_BUILD_BENCH=ON -DTRIALMATCH_BUILD_TESTS=OFF $(CMAKE_ARGS)
	cmake --build build-bench -j $(JOBS)
	build-bench/bench/bench_compile
	build-bench/bench/corpus_report
	bench/screen_bench.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) build-bench build-fuzz build-tsan
