# Smartmessages: `make run` starts the service, `make test` runs every test.
# Both install what is missing first (scripts/install-deps).

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN   = cmake -G Ninja -Wno-dev

# ccache (when installed) may reuse objects between clones of the repository: paths are taken
# relative to the clone, and the working directory is left out of the hash.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true
# The targets use precompiled headers (CMake's -include cmake_pch.hxx); without these
# sloppiness options ccache refuses nearly every compile as uncacheable.
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime

.PHONY: run build test deps format format-check clean bench-import bench-send bench-track

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	$(CMAKE_GEN) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(ASAN_BUILD)/build.ninja:
	$(CMAKE_GEN) -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSM_SANITIZE=ON \
	  -DSM_TEST_PG_PORT=55433

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target smartmessages

run: deps build
	@echo
	@echo "Smartmessages is starting on http://127.0.0.1:8080"
	@echo "Sign up at http://127.0.0.1:8080/signup, or create an account from another shell:"
	@echo "  $(BUILD)/smartmessages account create --org 'Example Ltd' --email you@example.org"
	@echo "Mail the service sends is written to ./data/outbox/ (open the .eml files)."
	@echo
	$(BUILD)/smartmessages serve

test: deps format-check $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/support/lsan.supp \
	  ctest --output-on-failure -j $(JOBS) -E '^browser'

# 1,000,000 rows through `smartmessages import`, beside sqlite3's own .import (bench/README.md).
bench-import: deps build
	bench/import_bench.sh $(BUILD)/smartmessages 1000000

# 100,000 messages to postfix's smtp-sink through our SMTP pool (signed and not) and through
# `smartmessages worker`, beside smtp-source (bench/README.md).
bench-send: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target send_bench send_campaign_setup smartmessages
	bench/send_bench.sh $(BUILD) 100000

# wrk against the open pixel and the click redirect, beside nginx serving the same GIF and a
# `return 302` on another loopback port (bench/README.md).
bench-track: deps build
	bench/track_bench.sh $(BUILD)/smartmessages 8

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp')

format-check:
	@files=$$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp'); \
	if [ -n "$$files" ] && ! clang-format --dry-run --Werror $$files; then \
	  echo "clang-format: the files above are not formatted; run 'make format'"; exit 1; fi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
