# paperrepro: a Go reproduction of "Scaling Laws for LLM-Based Data Compression".
#
#   make reproduce   fetch checkpoints and data, run the grid, write Tables 1-4, the fit and the figures
#   make test        unit tests, the reproducibility tests and the notebooks
# Both run `make setup` first; it is idempotent.

GO ?= go

.PHONY: setup setup-go test setup-notebooks notebooks notebooks-refresh

## setup: install everything a fresh machine needs (idempotent)
setup: setup-go setup-notebooks

setup-go:
	$(GO) mod download

## setup-notebooks: Jupyter from Debian packages, the GoNB kernel, goimports and gopls (pinned in notebooks/tools)
setup-notebooks:
	notebooks/tools/setup.sh

## test: vet, every Go test, then the notebooks
test: setup
	$(GO) vet ./...
	$(GO) test ./...
	$(MAKE) notebooks

## notebooks: execute every notebook headless in a temporary directory; fails on any error
notebooks: setup-notebooks
	cd notebooks/tools && $(GO) test ./...
	notebooks/tools/execute.sh notebooks/*.ipynb

## notebooks-refresh: execute every notebook and store its outputs in it, for committing
notebooks-refresh: setup-notebooks
	notebooks/tools/execute.sh --inplace notebooks/*.ipynb

## figures: redraw figures/ (PNG and SVG) from the paper's tables in expected/
.PHONY: figures
figures: setup-go
	$(GO) run ./paperrepro/cmd/paperrepro figures -o figures expected
