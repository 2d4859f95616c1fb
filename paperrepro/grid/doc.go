// Package grid runs the paper's experiment: every checkpoint (model size x
// training step) compresses every modality's chunks under one protocol, and
// each finished cell becomes one JSON result file with its provenance.
//
// It sits after the protocols in the pipeline:
//
//	hub (checkpoint) + datasets (chunks) -> Engine (tokenize, neox, protocol)
//	-> grid (one result file per cell) -> results.Table -> scaling, figures
//
// A run is resumable at two levels. A finished cell is a file written
// atomically (temporary file, then rename), and a run skips every cell whose
// file exists. Inside a cell, each batch of chunk results is appended to a
// .partial file; a killed run picks up from the last complete batch. Chunk
// results are deterministic, so a resumed run writes the same numbers as an
// uninterrupted one (only the timings differ). A run given a stop time
// (Runner.StopBy: a test's deadline, a job's time limit) sizes its batches
// from the pace it has timed so that it stops cleanly before that time,
// rather than being killed mid-batch.
//
// Nothing is reused silently. Every cell and .partial file records its
// setup - the sha256 of the weights, of config.json and of the tokenizer,
// the backend and the engine computing on it with its versions
// (neox.Model.Engine), the
// protocol with its options and compute dtype (for the lossless protocol
// also the batch size, which shapes the coder's floats), and the data with
// its files' sums - and a digest of it, the fingerprint. One protocol folder
// holds one configuration: before any work, a run refuses a folder whose
// cells or .partial files differ from its own setup, naming what differs
// (the backend and engine are compared once the first checkpoint is
// loaded), and a folder written before config.json and the engine were
// recorded, saying what to do. Another configuration's .partial file is
// never overwritten. A cell, and each chunk a .partial file saved, must
// also agree with itself (results.Cell.CheckConsistent): an edited one is
// refused, naming the file.
//
// Layout under the output folder:
//
//	<out>/<protocol label>/<model>/step<step>/<modality>.json
//
// for example results/seed/pythia-70m/step1000/text.json. The cell files
// are package results' format: results.Read reads such a folder back as
// tables for the fit, the figures and the comparison with the paper.
//
// # Running on an NVIDIA GPU
//
// The model code is GoMLX, so the same grid runs on a GPU through GoMLX's XLA
// backend (github.com/gomlx/go-xla/compute/xla, which loads a PJRT plugin with
// dlopen). It is compiled in wherever cgo works (-tags noxla leaves it out);
// the binary can be built on any linux/amd64 machine and copied over:
//
//	go build -o paperrepro ./paperrepro/cmd/paperrepro
//
// On a GPU machine with network access, `paperrepro install-plugin` (run by
// `make setup`) installs the CUDA plugin with go-xla's installer. Otherwise:
//
// On the GPU machine, JAX's CUDA PJRT plugin serves as the plugin: the pip
// package jax-cuda13-pjrt ships jax_plugins/xla_cuda13/xla_cuda_plugin.so and
// jax-cuda13-plugin brings the CUDA libraries (under site-packages/nvidia).
// go-xla finds plugins by file name (pjrt_c_api_<name>_plugin.so) in the
// folders of PJRT_PLUGIN_LIBRARY_PATH, so link it under that name:
//
//	pip install jax-cuda13-pjrt jax-cuda13-plugin
//	SITE=$(python3 -c 'import site; print(site.getsitepackages()[0])')
//	mkdir -p ~/pjrt && ln -sf $SITE/jax_plugins/xla_cuda13/xla_cuda_plugin.so ~/pjrt/pjrt_c_api_cuda_plugin.so
//	ln -sfn $SITE/nvidia ~/nvidia   # go-xla looks for nvidia/ beside or above the plugin
//	export PJRT_PLUGIN_LIBRARY_PATH=~/pjrt
//	./paperrepro run -float16 -batch 32 -out results
//
// With GOMLX_BACKEND unset, neox picks xla:cuda when it finds the cuda plugin
// and says so on stderr ("neox: GoMLX backend xla:cuda ..."); setting
// GOMLX_BACKEND=xla:cuda makes a missing plugin or GPU an error instead of
// a fall-back. Plugins are never downloaded behind the user's back. The
// default -batch is sized from the GPU's free memory; a killed run still
// loses at most one batch. paperrepro/gpucheck (make gpu-check) runs the
// whole check on a GPU machine without Go or network access.
//
// Every result file records the backend, because floating-point results (and
// so lossless streams) differ between backends. This path is documentation
// only: no GPU was lent to this project, so only the pure-Go backend
// (GOMLX_BACKEND=go) has produced numbers here.
//
// # Many workers, one folder
//
// A grid's cells are independent, so many runs - the tasks of a Slurm job
// array, or runs started by hand - can share one output folder. A run with
// Runner.Shard set computes only its share of the cells (AssignShards:
// disjoint, covering, balanced by model size x chunks, the same in every
// worker). Each cell is computed under its lock, a <cell>.json.lock file
// (flock plus the owner's host, pid and Slurm job, and a heartbeat; see
// lock.go): a cell another live worker holds is skipped and listed in
// Summary.Held, and the lock of a worker that died is taken over, resuming
// from its .partial file. What a run read from the folder before it began
// may be out of date by the time it reaches a cell, so once it holds the
// cell's lock it reads the cell's result and .partial files again: a cell
// another worker finished meanwhile is reused, never rewritten. A sharded
// run too refuses a folder whose cells, its own or not, were made with
// another protocol, options, data or backend; weights and tokenizer are
// compared on the checkpoints of its own cells, which it resolves anyway.
// ReadStatus reports where every cell of a folder stands while workers
// write into it.
package grid
