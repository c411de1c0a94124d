# mappe: an encrypted case file for municipal refugee services.
#   make          build ./mappe
#   make run      install missing packages, build, open the demo store
#   make check    install missing packages, build, run every test
#   make asan     the same tests under AddressSanitizer + UBSan
#   make install  PREFIX=/usr/local DESTDIR=
#   make deb      the Debian package of the shared-host deployment, in build/

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0

PKGS    := ncursesw lmdb libsodium
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wpointer-arith
ifeq ($(WERROR),1)
WARN    += -Werror
endif
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DMAPPE_VERSION='"$(VERSION)"' \
              -DLOCALEDIR='"$(PREFIX)/share/locale"' $(WARN) $(CFLAGS) \
              -fstack-protector-strong -D_FORTIFY_SOURCE=2 -MMD -MP -I. \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libunistring (no pkg-config file on Debian 12): the case folding and NFKC
# in front of search folding, so the pure archive needs it too.
PURE_LIBS := -lunistring
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(PURE_LIBS)
ALL_LDFLAGS = -Wl,-z,relro,-z,now $(LDFLAGS)

KEYS_SRC  := $(wildcard keys/*.c)
STORE_SRC := $(wildcard store/*.c)
TUI_SRC   := $(wildcard tui/*.c tui/screens/*.c tui/cmd/*.c)
# The pure part of store/ (NeoMutt's one archive per library): the record
# model, validation, the formats and folding need neither LMDB nor libsodium,
# and their tests and fuzzers link this archive alone, so that code that
# reaches for the store fails to link there. Whatever links libmappe.a links
# libmappe-pure.a after it.
PURE_SRC  := store/catalogue.c store/clock.c store/validate.c store/rules.c store/deadlines.c store/formats.c store/fold.c
PURE_OBJ  := $(PURE_SRC:%.c=$(BUILD)/%.o)
PURE_LIB  := $(BUILD)/libmappe-pure.a
PURE_TESTS := test_catalogue test_deadlines test_rules test_validate test_formats test_fold
LIB_OBJ   := $(KEYS_SRC:%.c=$(BUILD)/%.o) $(filter-out $(PURE_OBJ),$(STORE_SRC:%.c=$(BUILD)/%.o))
LIBA      := $(BUILD)/libmappe.a $(PURE_LIB)
TUI_OBJ   := $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Invented people for the demo, tests and benchmarks: outside libmappe.a, so
# that mappe (setgid in a deployment) carries no tables of names; mappe demo
# runs mappe-gen from beside it.
GEN_SRC   := tests/gen/synth.c
GEN_OBJ   := $(GEN_SRC:tests/gen/%.c=$(BUILD)/gen/%.o)
GEN_LIB   := $(BUILD)/libmappe-gen.a
GEN_PROG  := $(BUILD)/mappe-gen
GEN_BIN   := $(BUILD)/tests/gen
PLANT_BIN := $(BUILD)/tests/plant

.PHONY: all deps deps-run deps-deb deb check asan run install uninstall clean tests tidy cppcheck format po pot bench bench-sessions fuzz
LANGS   := nb
MO      := $(LANGS:%=$(BUILD)/locale/%/LC_MESSAGES/mappe.mo)

all: mappe mappe-gen $(MO)

mappe: $(BUILD)/mappe
	cp $< $@

mappe-gen: $(GEN_PROG)
	cp $< $@

$(BUILD)/locale/%/LC_MESSAGES/mappe.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# Refresh the template and merge it into each catalog after changing messages.
# The store's messages are its fixed reasons (N_) and the templates of
# store/errors.def (ERR's third argument), which the UI translates.
# POT: where the template goes (tests/cli/test_po.sh makes one elsewhere).
POT ?= po/mappe.pot
pot:
	xgettext --from-code=UTF-8 -k_ -kN_ -o $(POT) tui/*.c tui/*.h tui/screens/*.c tui/cmd/*.c \
	  $(filter-out store/validate.c,$(wildcard store/*.c))
	xgettext --from-code=UTF-8 --language=C -kERR:3 -j -o $(POT) store/errors.def
	xgettext --from-code=UTF-8 --language=C -kN_ -j -o $(POT) store/rules.def
	$(CC) -E -P -DMAPPE_XGETTEXT -I. store/validate.c | \
	  xgettext --from-code=UTF-8 --language=C -kN_ -j -o $(POT) -

po: pot
	for l in $(LANGS); do msgmerge -q -U po/$$l.po $(POT); done

$(BUILD)/mappe: $(TUI_OBJ) $(LIBA)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libmappe.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(PURE_LIB): $(PURE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# build/tests/gen is the program, so the generator's objects live in build/gen.
$(BUILD)/gen/%.o: tests/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(GEN_LIB): $(GEN_OBJ)
	rm -f $@ && ar rcs $@ $^

# The parts of tui/ that need no terminal are unit tested too.
TUI_PURE := $(BUILD)/tui/editor.o $(BUILD)/tui/termkeys.o $(BUILD)/tui/listview.o $(BUILD)/tui/chart.o $(BUILD)/tui/cmd/conf.o $(BUILD)/tui/i18n.o

$(BUILD)/tests/%: tests/unit/%.c $(LIBA) $(GEN_LIB) $(TUI_PURE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TUI_PURE) $(GEN_LIB) $(LIBA) $(LIBS) \
	  $(shell pkg-config --libs cmocka)

# test_saver counts the store's decryptions (an update opens each class once).
$(BUILD)/tests/test_saver: ALL_LDFLAGS += -Wl,--wrap=keys_open_bucket -Wl,--wrap=keys_open

# The keymaps are the screens' data: their test links all of tui/ but main.
TUI_NOMAIN := $(filter-out $(BUILD)/tui/cmd/main.o,$(TUI_OBJ))
$(BUILD)/tests/test_keymap: tests/unit/test_keymap.c $(TUI_NOMAIN) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TUI_NOMAIN) $(LIBA) $(LIBS) \
	  $(shell pkg-config --libs cmocka)
# Privacy mode's masks and reveals, over a store, without a terminal.
$(BUILD)/tests/test_privacy: tests/unit/test_privacy.c $(TUI_NOMAIN) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TUI_NOMAIN) $(LIBA) $(LIBS) \
	  $(shell pkg-config --libs cmocka)

# No $(LIBS): neither -llmdb nor -lsodium.
$(PURE_TESTS:%=$(BUILD)/tests/%): $(BUILD)/tests/%: tests/unit/%.c $(PURE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PURE_LIB) $(PURE_LIBS) $(shell pkg-config --libs cmocka)

# The generator is pure too: it runs without the store.
$(GEN_PROG): $(BUILD)/gen/main.o $(GEN_LIB) $(PURE_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(GEN_LIB) $(PURE_LIB) $(PURE_LIBS)

$(GEN_BIN): $(GEN_PROG)
	@mkdir -p $(dir $@)
	cp $< $@

# Text planted below validation, for the tests of what is printed.
$(PLANT_BIN): tests/plant.c tests/unit/plant.h $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

tests: $(BUILD)/mappe $(MO) $(UNIT_BIN) $(GEN_PROG) $(GEN_BIN) $(PLANT_BIN)
	@[ "$(BUILD)" != build ] || { cp $(BUILD)/mappe mappe && cp $(GEN_PROG) mappe-gen; }

deps:
	@scripts/deps.sh

deps-run:
	@scripts/deps.sh --run

deps-deb:
	@scripts/deps.sh --run debhelper devscripts dpkg-dev fakeroot

check: deps
	@$(MAKE) --no-print-directory tests
	@tests/run.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp tests/run.sh build-asan

run: deps-run all
	./mappe demo

# make bench: mappe beside plain LMDB, SQLCipher and SQLite on the same
# synthetic cases, one table (tests/bench/README.md). BENCH_CASES=100000 make bench
# The budgets stop mappe's import and rotation if they outlast them (the table
# says so), so that BENCH_CASES=1000000 ends within 20 minutes; 0 = no limit.
BENCH_CASES ?= 10000
BENCH_OPS   ?= 2000
BENCH_IMPORT_SECONDS ?= 300
BENCH_ROTATE_SECONDS ?= 240
BENCH_FLAGS := -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra $(filter -Werror,$(WARN)) -I.
BENCH_BIN   := $(BUILD)/bench/bench

$(BENCH_BIN): tests/bench/bench.c $(GEN_LIB) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_FLAGS) -DBENCH_CFLAGS='"$(CC) $(BENCH_FLAGS)"' -DBENCH_LIBCFLAGS='"$(CFLAGS)"' \
	  -o $@ $< $(GEN_LIB) $(LIBA) -llmdb -lsodium -lsqlcipher -lm $(PURE_LIBS)

# Then the terminal bytes of single keys, mappe on a pty (tests/bench/ptybytes.py;
# BENCH_PTY=0 leaves it out); the store's exit status is the run's.
BENCH_PTY ?= 1

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_BIN) $(BUILD)/mappe $(GEN_BIN)
	@rc=0; $(BENCH_BIN) --cases $(BENCH_CASES) --ops $(BENCH_OPS) \
	  --import-seconds $(BENCH_IMPORT_SECONDS) --rotate-seconds $(BENCH_ROTATE_SECONDS) || rc=$$?; \
	if [ "$(BENCH_PTY)" != 0 ]; then \
	  MAPPE_BIN=$(CURDIR)/$(BUILD)/mappe MAPPE_GEN=$(CURDIR)/$(GEN_BIN) \
	    /usr/bin/python3 tests/bench/ptybytes.py || { [ $$rc -ne 0 ] || rc=2; }; \
	fi; exit $$rc

# make bench-sessions: how many sessions at once (tests/bench/sessions.py,
# docs/performance.md "Issue 12: how many at once"): real mappe TUI sessions
# on ptys against a SESSIONS_CASES-case store, as many Unix uids; memory per
# session, a login storm at the default Argon2id cost, saves while they
# search and open cases. Minutes, as root; never part of make check.
SESSIONS_CASES ?= 20000
SESSIONS_ARGS  ?=
SAVER_BIN := $(BUILD)/bench/saver

$(SAVER_BIN): tests/bench/saver.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_FLAGS) -o $@ $< $(LIBA) -llmdb -lsodium -lm $(PURE_LIBS)

bench-sessions: deps
	@$(MAKE) --no-print-directory $(SAVER_BIN) $(BUILD)/mappe $(GEN_BIN)
	MAPPE_BIN=$(CURDIR)/$(BUILD)/mappe MAPPE_GEN=$(CURDIR)/$(GEN_BIN) MAPPE_SAVER=$(CURDIR)/$(SAVER_BIN) \
	  /usr/bin/python3 tests/bench/sessions.py --cases $(SESSIONS_CASES) $(SESSIONS_ARGS)

# make fuzz: libFuzzer (clang) on the envelope parser, the import formats
# with field validation, the search folding, the records a file writer
# controls (headers, user records, grants, drafts) and /etc/mappe.conf;
# FUZZ_SECONDS each.
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := envelope formats fold records record conf
FUZZ_EXTRA   := tui/cmd/conf.c
# formats and fold link the pure archive alone, without -llmdb or -lsodium.
FUZZ_PURE    := formats fold
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all

fuzz:
	@scripts/deps.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  build-fuzz/libmappe.a build-fuzz/libmappe-pure.a
	@for t in $(FUZZ_TARGETS); do \
	  case " $(FUZZ_PURE) " in \
	  *" $$t "*) link="build-fuzz/libmappe-pure.a $(PURE_LIBS)" ;; \
	  *) link="$(FUZZ_EXTRA) build-fuzz/libmappe.a build-fuzz/libmappe-pure.a $(LIBS)" ;; \
	  esac; \
	  clang -std=c11 -D_GNU_SOURCE -O1 -g -I. -fsanitize=fuzzer $(FUZZ_SAN) \
	    -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c $$link || exit 1; \
	  mkdir -p build-fuzz/corpus/$$t && cp -n tests/fuzz/corpus/$$t/* build-fuzz/corpus/$$t/ 2>/dev/null; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    build-fuzz/corpus/$$t >build-fuzz/fuzz_$$t.log 2>&1; \
	  grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|runtime error' build-fuzz/fuzz_$$t.log; \
	  if grep -qE 'ERROR|SUMMARY|runtime error' build-fuzz/fuzz_$$t.log; then \
	    echo "fuzz_$$t: a finding; see build-fuzz/fuzz_$$t.log"; exit 1; fi; \
	done

# make deb: the package of the setgid deployment (debian/, docs/deployment.md),
# built by dpkg-buildpackage in a copy of the tracked files under $(BUILD)/deb,
# so that the tree stays clean; the .deb is copied to $(BUILD)/. Lintian runs
# on it where it is installed.
DEB_SRC := $(BUILD)/deb/mappe-$(VERSION)
DEB     := $(BUILD)/mappe_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb

deb: deps-deb
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(VERSION)" ] || \
	  { echo "make deb: debian/changelog is at $$v, the Makefile at $(VERSION)" >&2; exit 1; }
	rm -rf $(BUILD)/deb && mkdir -p $(DEB_SRC)
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C $(DEB_SRC); \
	else \
	  tar --exclude-vcs --exclude='./build*' --exclude=./mappe --exclude=./mappe-gen \
	    --exclude=./dist -cf - . | tar -xf - -C $(DEB_SRC); \
	fi
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	cp $(BUILD)/deb/mappe_$(VERSION)_*.deb $(BUILD)/
	@! command -v lintian >/dev/null || lintian --info $(DEB) || true
	@echo "make deb: $(DEB)"

install: mappe mappe-gen $(MO)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 mappe $(DESTDIR)$(PREFIX)/bin/mappe
	install -m 0755 mappe-gen $(DESTDIR)$(PREFIX)/bin/mappe-gen
	install -m 0644 docs/mappe.1 $(DESTDIR)$(PREFIX)/share/man/man1/mappe.1
	for l in $(LANGS); do \
	  install -d $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES && \
	  install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/mappe.mo \
	    $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES/mappe.mo; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mappe $(DESTDIR)$(PREFIX)/bin/mappe-gen \
	  $(DESTDIR)$(PREFIX)/share/man/man1/mappe.1 \
	  $(LANGS:%=$(DESTDIR)$(PREFIX)/share/locale/%/LC_MESSAGES/mappe.mo)

tidy:
	clang-tidy --quiet $(KEYS_SRC) $(STORE_SRC) $(TUI_SRC) $(wildcard tests/gen/*.c) -- -std=c11 -D_GNU_SOURCE -DMAPPE_VERSION=\"0\" -DLOCALEDIR=\"/\" -I. \
	  $(shell pkg-config --cflags $(PKGS))

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr -I. keys store tui tests/gen

format:
	clang-format -i keys/*.[ch] store/*.[ch] tui/*.[ch] tui/screens/*.c tui/cmd/*.c tests/unit/*.c tests/gen/*.[ch]

clean:
	rm -rf build build-asan build-fuzz mappe mappe-gen

-include $(LIB_OBJ:.o=.d) $(PURE_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(GEN_OBJ:.o=.d) $(BUILD)/gen/main.d
