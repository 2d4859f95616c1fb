// Package gpucheck holds the GPU check: build.sh (make gpu-check-bundle)
// builds, on a machine with Go and a C compiler, the paperrepro command and
// test binaries with GoMLX's XLA backend and the fixtures they read into
// bundle/; run.sh then runs, on an NVIDIA GPU machine without Go or network
// access, the GPT-NeoX golden fixtures, the pythia-tiny seed cells, a
// compress/decompress round trip and `paperrepro bench` on xla:cuda with
// JAX's CUDA PJRT plugin, and prints one summary. See run.sh's header for
// its settings. The package has no Go code of its own: its tests check the
// scripts.
package gpucheck
