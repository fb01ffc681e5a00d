# botwatch — one Makefile (STYLE.md 2.9). Sources are found by wildcard: a new file in src/
# needs no edit here. Targets:
#   all (default)  build/botwatch
#   asan           build/asan/botwatch, AddressSanitizer + UndefinedBehaviorSanitizer
#   unit           cmocka unit tests (normal build)
#   check          everything: unit, regression and conformance tests, normal and sanitized
#   regress        regression cases only; UPDATE=1 rewrites their expected output
#   fuzz           libFuzzer targets in build/fuzz/ (clang)
#   bench          the benchmark harness (bench/README.md)
#   deps           install missing Debian packages (scripts/deps.sh)

CC      ?= cc
PKGS     = libpcap libcrypto yaml-0.1 libnetfilter_queue zlib libpcre2-8 libhs
PC_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PC_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lcrypto -lpcre2-8 -lhs)
WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
CSTD     = -std=c11 -D_GNU_SOURCE
CFLAGS  ?= -O2 -g
ifeq ($(CI),true)
WARN    += -Werror
endif
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(PC_CFLAGS) -Isrc -MMD -MP
LDLIBS   = $(PC_LIBS) -lm

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRC      = $(wildcard src/*.c src/*/*.c)
LIB_SRC  = $(filter-out src/main.c,$(SRC))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)

# $(call objs,DIR,SOURCES)
objs = $(patsubst %.c,$(1)/obj/%.o,$(2))

.SECONDARY:
.PHONY: all asan unit check regress conformance fuzz bench deps clean
all: build/botwatch

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(SAN_FLAGS) $(PC_CFLAGS) -Isrc -MMD -MP -c $< -o $@

build/botwatch: $(call objs,build,$(SRC))
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

build/asan/botwatch: $(call objs,build/asan,$(SRC))
	$(CC) $(SAN_FLAGS) $^ -o $@ $(LDLIBS)

asan: build/asan/botwatch

# One cmocka program per tests/unit/test_*.c, linked with everything but main.c.
build/tests/%: build/obj/tests/unit/%.o $(call objs,build,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) -lcmocka

build/asan/tests/%: build/asan/obj/tests/unit/%.o $(call objs,build/asan,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ -o $@ $(LDLIBS) -lcmocka

UNIT_BIN      = $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
UNIT_BIN_ASAN = $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))

unit: $(UNIT_BIN)
	@tests/run.sh --only unit build

regress: build/botwatch
	@tests/run.sh --only regress build

conformance: build/botwatch
	@tests/run.sh --only conformance build

# The README's test command. Normal build first, then the sanitized one; one summary line.
check: build/botwatch $(UNIT_BIN) build/asan/botwatch $(UNIT_BIN_ASAN) fuzz
	@tests/run.sh build build/asan

# libFuzzer targets: each links the library objects built with the fuzzer's instrumentation.
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CSTD) $(FUZZ_FLAGS) $(PC_CFLAGS) -Isrc -MMD -MP -c $< -o $@
build/fuzz/%: build/fuzz/obj/fuzz/%.o $(call objs,build/fuzz,$(LIB_SRC))
	clang -fsanitize=fuzzer,address,undefined $^ -o $@ $(LDLIBS)
fuzz: $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

bench: build/botwatch
	bench/run.sh

deps:
	scripts/deps.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
