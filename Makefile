# Storefront — build, run, test.
DB ?= data/storefront.db
ADDR ?= 127.0.0.1:8080
BIN := bin/storefront
export CGO_ENABLED := 1

.PHONY: run build seed test generate check-generated vet bench fuzz clean

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

## check-generated: fail when templ generate or templ fmt would change anything
check-generated:
	go tool templ generate
	go tool templ fmt templates
	@git diff --exit-code -- templates || (echo "templ output is not current: run 'make generate' and 'go tool templ fmt templates', then commit" && exit 1)
	@test -z "$$(git ls-files --others --exclude-standard templates)" || (echo "uncommitted generated files in templates/" && exit 1)

## test: everything CI checks, including browser tests in headless Chromium
test: vet check-generated
	go test -count=1 -timeout 20m ./...

clean:
	rm -rf bin
