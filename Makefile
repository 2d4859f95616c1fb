# paperrepro: a Go reproduction of "Scaling Laws for LLM-Based Data Compression".
#
#   make reproduce   fetch checkpoints and data, run the grid, write Tables 1-4, the fit and the figures
#   make test        unit tests, the reproducibility tests and the notebooks
# Both run `make setup` first; it is idempotent.

GO ?= go

# GoMLX v0.28 needs Go 1.27: the go command fetches this toolchain from the
# module proxy on first use (a machine may start on an older Go). The pure-Go
# backend's AVX2/AVX-512 kernels are compiled only with GOEXPERIMENT=simd;
# without it everything still builds and runs, several times slower, and
# neox says so on stderr. Both reach every go command below, the notebooks'
# GoNB kernel and the GPU check's build.
export GOTOOLCHAIN ?= go1.27.3
export GOEXPERIMENT ?= simd

.PHONY: setup setup-plan setup-go test setup-notebooks notebooks notebooks-refresh setup-codecs setup-slurm slurm-test

## setup: install everything a fresh machine needs to run and test paperrepro (idempotent);
## Slurm is left out (make slurm-test installs it)
setup: setup-plan setup-go setup-notebooks setup-codecs

## setup-plan: say what setup is about to install (nothing when all is there), and how long
## that took on a fresh machine. Checks offline: GOPROXY=off fails where a download is due.
SETUP_TIME = On a fresh Debian 12 machine with 2 cores (busy with other jobs) all of it took about 13 minutes (measured 2026-12-07).
setup-plan:
	@missing=; \
	GOPROXY=off $(GO) mod download >/dev/null 2>&1 || missing="$$missing, Go $(GOTOOLCHAIN) and the Go modules"; \
	jupyter nbconvert --version >/dev/null 2>&1 || missing="$$missing, Jupyter (Debian packages)"; \
	[ -n "$${CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v google-chrome >/dev/null || missing="$$missing, Chromium"; \
	[ -x "$$(notebooks/tools/gobin.sh 2>/dev/null)/gonb" ] || missing="$$missing, GoNB with goimports and gopls"; \
	for t in $(CODEC_TOOLS); do command -v $${t%%:*} >/dev/null || missing="$$missing, $${t#*:}"; done; \
	[ -z "$$missing" ] || echo "make setup: installing $${missing#, } (and a PJRT plugin for XLA where one can be had). $(SETUP_TIME)"

## setup-go: Go modules, then a PJRT plugin for GoMLX's XLA backend when one
## can be had (CUDA where nvidia-smi lists a GPU, else CPU); never fails for lack of one.
## XLA is compiled in wherever cgo works; `go build -tags noxla` leaves it out.
setup-go:
	$(GO) mod download
	@[ "$$($(GO) env CGO_ENABLED)" = 1 ] || echo "make setup: no C compiler found, so cgo is off: paperrepro builds without XLA and runs on the pure-Go backend (install gcc for XLA)"
	@$(GO) run ./paperrepro/cmd/paperrepro install-plugin -setup

## setup-notebooks: Jupyter (the one on PATH when it works, else Debian packages), Chromium for
## the notebooks' browser check, the GoNB kernel, goimports and gopls (pinned in notebooks/tools)
setup-notebooks:
	notebooks/tools/setup.sh

## setup-codecs: the reference codec tools that `paperrepro baselines` runs and its
## tests check against (command:Debian package); installs only the missing ones
CODEC_TOOLS = gzip:gzip xz:xz-utils zstd:zstd bzip2:bzip2 flac:flac
setup-codecs:
	@missing=; for t in $(CODEC_TOOLS); do command -v $${t%%:*} >/dev/null || missing="$$missing $${t#*:}"; done; \
	if [ -n "$$missing" ]; then \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "setup: installing$$missing"; \
		$$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing; \
	fi

## test: vet; the quick tests (go test -short, under a minute); every Go test, the Slurm job
## array (where Slurm is installed; always under CI=true) and the notebooks; then one line per
## group of skipped tests and why. Also vets the build without XLA (-tags noxla) and runs the
## backend-choice tests there, so both builds stay working.
SKIPS = $(or $(TMPDIR),/tmp)/paperrepro-test-skips.jsonl
TESTSUMMARY = $(GO) run ./paperrepro/internal/testsummary
test: setup
	@rm -f $(SKIPS)
	$(GO) vet ./...
	$(GO) vet -tags noxla ./...
	$(GO) test -short ./...
	$(GO) test -json -skip '^TestSlurmArrayOnALocalCluster$$' ./... | $(TESTSUMMARY) -record $(SKIPS)
	$(MAKE) fuzz
	$(GO) test -json -tags noxla -run 'Backend|InstallPlugin|BuildIncludesXLA' ./paperrepro/neox ./paperrepro/cmd/paperrepro | $(TESTSUMMARY) -record $(SKIPS)
	@[ "$${CI:-}" != true ] || $(MAKE) setup-slurm
	$(GO) test -json $(SLURM_TEST_FLAGS) | $(TESTSUMMARY) -v -record $(SKIPS)
	$(MAKE) notebooks
	@$(TESTSUMMARY) -report $(SKIPS)

## fuzz: every fuzz target for FUZZTIME each (go test alone runs only their seed inputs)
FUZZTIME ?= 10s
FUZZDIRS ?= $(shell grep -rl --include='*_test.go' '^func Fuzz' paperrepro | xargs -n1 dirname | sort -u)
.PHONY: fuzz
fuzz:
	@set -e; for dir in $(FUZZDIRS); do for f in $$(grep -h -o '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | cut -d' ' -f2); do \
		echo "fuzz ./$$dir $$f for $(FUZZTIME)"; $(GO) test ./$$dir -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; done; done

## setup-slurm: Slurm (slurmctld, slurmd, client) and munge from Debian packages, for
## slurm-test only (make setup leaves them out); installs only what is missing (skips where
## it cannot, fails under CI=true)
setup-slurm:
	paperrepro/internal/slurmtest/setup.sh

## slurm-test: stand up a one-node Slurm cluster on this machine (state in a
## temporary folder), run the tiny test grid (2 models x 2 steps x 2
## modalities) as a 4-task job array, kill one task mid-cell and requeue it,
## and compare the merged tables with a single-process run.
## SLURM_CHUNKS=16 runs the full 16 chunks per cell (longer).
SLURM_CHUNKS ?= 2
SLURM_TEST_FLAGS = -count=1 -timeout 60m -run '^TestSlurmArrayOnALocalCluster$$' ./paperrepro/cmd/paperrepro \
	-slurm -slurm.chunks $(SLURM_CHUNKS)
slurm-test: setup-go setup-slurm
	$(GO) test -v $(SLURM_TEST_FLAGS)

## notebooks: execute every notebook headless in a temporary directory; fails on any error
## (selfcheck.sh first proves that failing cells of each kind make it fail), then opens the
## executed notebooks untrusted in headless Chromium against Jupyter Notebook 6 (browsercheck) and
## fails on any output a reader would not see. Then the notebooks that read data, a tokenizer or a
## model run again as on a reader's fresh clone (no ../shared, an empty data folder and Hugging Face
## cache, testdata/ as committed): each cell must show its result or the command that fetches its
## input (FRESH_NOTEBOOKS picks fewer, e.g. FRESH_NOTEBOOKS=notebooks/02_method.ipynb).
## SCREENSHOTS=dir keeps the browser's pages as PNG images.
FRESH_NOTEBOOKS ?= $(shell grep -l -E 'nb\.ShowInputs.*(Data|TokenizerFile|Checkpoint)' notebooks/*.ipynb)
notebooks: setup-notebooks
	cd notebooks/tools && $(GO) test ./...
	notebooks/tools/selfcheck.sh
	notebooks/tools/execute.sh notebooks/*.ipynb
	notebooks/tools/execute.sh --fresh-clone $(FRESH_NOTEBOOKS)

## notebooks-refresh: execute every notebook and store its outputs in it, for committing (with
## every input present: ../shared or `make data`; a missing one fails it)
notebooks-refresh: setup-notebooks
	notebooks/tools/execute.sh --inplace notebooks/*.ipynb

## figures: redraw figures/ (PNG and SVG) from the paper's tables in expected/
.PHONY: figures
figures: setup-go
	$(GO) run ./paperrepro/cmd/paperrepro figures -f -out figures expected

## data: fetch what the notebooks read (network needed; not part of setup, which stays offline):
## Pythia's tokenizer (into the Hugging Face cache), enwik8, the first LibriSpeech utterances and,
## when HF_TOKEN opens the gated ILSVRC/imagenet-1k, the first ImageNet images, in the hub splits'
## order (only the parquet row groups $(CHUNKS) chunks need). `make data-model` adds pythia-70m at
## step 143000 (about 160 MB) so that notebook 01 compresses with a real Pythia model.
.PHONY: data data-model
data: setup-go
	$(PAPERREPRO) fetch-data -modalities tokenizer,text,speech,image -chunks $(CHUNKS) -skip-gated
data-model: setup-go
	$(PAPERREPRO) fetch -models 70m -steps 143000

## reproduce: fetch the paper's 25 Pythia checkpoints and the data, run the grid
## (seed protocol, float16 emulation, 2048 chunks per modality; resumable: run it
## again after an interruption), then write Tables 2-4 beside the paper's,
## Table 1 (the fit) and the figures under $(RESULTS). Days on a CPU; see the grid
## package for GPUs. Smaller: make reproduce MODALITIES=text CHUNKS=64
## Cells of another chunk count than the paper's go to results/<N>chunks, where
## `go test ./paperrepro -run Table2 -short` (64 chunks) reads and computes them too.
MODALITIES ?= text,image,speech
CHUNKS ?= 2048
RESULTS ?= $(if $(filter 2048,$(CHUNKS)),results,results/$(CHUNKS)chunks)
PAPERREPRO = $(GO) run ./paperrepro/cmd/paperrepro
.PHONY: reproduce
reproduce: setup
	$(PAPERREPRO) fetch
	$(PAPERREPRO) fetch-data -modalities $(MODALITIES) -chunks $(CHUNKS)
	$(PAPERREPRO) run -float16 -modalities $(MODALITIES) -chunks $(CHUNKS) -out $(RESULTS)
	$(PAPERREPRO) tables -f -out $(RESULTS)/tables $(RESULTS)/seed+float16
	$(PAPERREPRO) fit -f -o $(RESULTS)/table1.csv $(RESULTS)/seed+float16
	$(PAPERREPRO) figures -f -out $(RESULTS)/figures $(RESULTS)/seed+float16

## gpu-check-bundle: build, here (Go and a C compiler), what the GPU check carries to a GPU
## machine without Go or network: binaries with XLA, fixtures, data (paperrepro/gpucheck/bundle/)
.PHONY: gpu-check-bundle gpu-check
gpu-check-bundle: setup-go
	paperrepro/gpucheck/build.sh

## gpu-check: the GPU check on this machine's NVIDIA GPU with JAX's CUDA PJRT plugin
## (PYTHON names the Python that has jax-cuda13-pjrt): golden fixtures, seed cells,
## a compress round trip and bench of the five Pythia shapes, one summary. On a GPU
## machine without Go, run paperrepro/gpucheck/run.sh there with the bundle beside it.
gpu-check: gpu-check-bundle
	paperrepro/gpucheck/run.sh
