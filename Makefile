# cnatsd: thin wrappers over CMake. `make run` and `make test` install what is
# missing (tools/deps.sh) before they build.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
TEST_BUILD ?= build-test
ARGS ?=

.PHONY: all deps build run test build-test unit wire tracker bench fuzz tsan profile clean

all: build

deps:
	@tools/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCNATSD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

# Build Release and start the server in the foreground (Ctrl-C stops it).
run: build
	./$(BUILD)/nats-server -a 127.0.0.1 -p 4222 $(ARGS)

# Sanitizer + coverage build with every test.
build-test:
	@tools/deps.sh test
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCNATSD_SANITIZE=ON -DCNATSD_COVERAGE=ON -DCNATSD_WIRE=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS) -- --no-print-directory

# Every test: unit and wire suites (ctest), then the tracker evidence and gate.
test: build build-test
	@tools/test.sh $(BUILD) $(TEST_BUILD)

unit: build-test
	cd $(TEST_BUILD) && ctest -L unit --output-on-failure -j $(JOBS)

wire: build-test
	cd $(TEST_BUILD) && ctest -L wire --output-on-failure

bench: build
	@tools/bench.sh $(BUILD)

fuzz: deps
	@tools/fuzz.sh

tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DCNATSD_TSAN=ON >/dev/null
	@cmake --build build-tsan -j $(JOBS) -- --no-print-directory
	cd build-tsan && ctest -L unit --output-on-failure

profile: build
	@tools/profile.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-tsan build-fuzz
