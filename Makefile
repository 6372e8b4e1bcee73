# Storefront — build, run, test.
DB ?= data/storefront.db
ADDR ?= 127.0.0.1:8080
BIN := bin/storefront
export CGO_ENABLED := 1

.PHONY: run build seed test generate check-generated vet bench bench-large bench-recs bench-visitors fuzz attack clean

## run: build, seed the database if it is empty, and serve the shop
run: build
	./$(BIN) seed --db $(DB) --if-empty
	./$(BIN) serve --db $(DB) --addr $(ADDR)

build: generate
	go build -o $(BIN) .

generate:
	go tool templ generate

## seed: rebuild the demo world from its fixed random seed
seed: build
	rm -f $(DB) $(DB)-wal $(DB)-shm
	./$(BIN) seed --db $(DB)

vet:
	go vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt would change these files:"; gofmt -l .; exit 1)

## check-generated: fail when templ generate or templ fmt would change anything
check-generated:
	go tool templ generate
	go tool templ fmt templates
	@git diff --exit-code -- templates || (echo "templ output is not current: run 'make generate' and 'go tool templ fmt templates', then commit" && exit 1)
	@test -z "$$(git ls-files --others --exclude-standard templates)" || (echo "uncommitted generated files in templates/" && exit 1)

## test: everything CI checks, including browser tests in headless Chromium and a short fuzz run
# Four packages at a time whatever the cores: the web, browser and command
# tests spend most of their time waiting on timers, locks and the browser, so
# with one package a core the cores idled half the run.
TEST_PACKAGES ?= 4
test: vet check-generated fuzz
	go test -count=1 -p $(TEST_PACKAGES) -timeout 25m ./...

## fuzz: run every fuzz target for FUZZTIME (3,000 inputs each in CI, a few seconds); a failing input is saved under testdata/fuzz
# A count, not a duration: with a duration Go's fuzz coordinator can report
# "context deadline exceeded" at the deadline without any failing input
# (golang/go#75804, fixed in Go 1.27), which failed CI on a busy machine.
FUZZTIME ?= 3000x
FUZZ_TARGETS := \
	./seed:FuzzParsePrice ./seed:FuzzImportProducts ./seed:FuzzImportEvents \
	./models:FuzzTokenize ./models:FuzzSearch \
	./web:FuzzParseProductID ./web:FuzzValidSlotRef ./web:FuzzCategoryPrice ./web:FuzzAdminAmount ./web:FuzzDecodeAPIEvents ./web:FuzzSafeNext ./web:FuzzAPIEventTimestamps
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		go test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

## bench: load-test the real server on the small demo world (~5 minutes; see docs/performance.md)
bench: generate
	go build -o bin/bench ./bench
	./bin/bench --scale small $(BENCH_FLAGS)

## bench-large: every page phase on the 50k-product, 100k-shopper, 2M-event world (seeding takes minutes the first time)
bench-large: generate
	go build -o bin/bench ./bench
	./bin/bench --scale large --event-duration 0 $(BENCH_FLAGS)

## attack: replay the security findings against the real binary on loopback (ATTACK_ADDR, ~4 minutes; see docs/security.md)
ATTACK_ADDR ?= 127.0.0.1:18100
attack: build
	go run ./bench/attack --bin $(BIN) --addr $(ATTACK_ADDR)

## bench-recs: the recommender's robustness suite (generated shops + MovieLens 100k; see docs/recommender.md)
bench-recs:
	go run ./bench/recs $(RECS_FLAGS)

## bench-visitors: simulated first-time visitors on the real server: cookies kept vs a new visitor every page vs an oracle vs the oracle after the first click (~2 minutes; see docs/recommender.md)
VISITORS_ADDR ?= 127.0.0.1:0
bench-visitors: generate
	go run ./bench/visitors --addr $(VISITORS_ADDR) $(VISITORS_FLAGS)

clean:
	rm -rf bin
