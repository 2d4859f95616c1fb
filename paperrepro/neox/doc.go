// Package neox runs GPT-NeoX (Pythia) language models in Go with GoMLX: it
// loads a Hugging Face checkpoint and turns token ids into next-token
// log-probabilities.
//
// In the pipeline it sits between tokenize (text -> ids) and protocol/arith
// (log-probabilities -> bits and bytes):
//
//	m, err := neox.Load("pythia-70m/step143000")  // config.json + model.safetensors
//	bits, err := m.TokenBits(ids)                  // -log2 p of each token after the first
//
// TokenBits is what the paper's seed protocol needs (code lengths), and
// computes only the log-normaliser and the target logit of each position;
// NextTokenLogProbs returns whole distributions; a Decoder produces them one
// token at a time from a key/value cache, deterministically, for the
// lossless coder, which must see bit-identical floats when compressing and
// decompressing.
//
// The forward pass (model.go) follows transformers' modeling_gpt_neox:
// fused per-head query_key_value laid out [heads, 3, head_size],
// rotate-half rotary embedding on the first rotary_pct of each head, causal
// attention, exact GELU, and parallel (use_parallel_residual) or sequential
// residual connections. Weights stored as F32, F16 or BF16 in
// model.safetensors, pytorch_model.bin or shards of either are converted
// on load to the compute dtype (Options.DType: float32 by default, bfloat16
// or float16), in which the activations run; layer norms and softmaxes stay
// float32, and the log-normalisers (log sum exp over the vocabulary) sum in
// float64, as the reference's log_softmax of float64 logits does, without
// a float64 copy of the logits (blocksNormaliser). Layer norm, dense layers,
// GELU and attention are GoMLX's, which run the backend's fused kernels
// where it has them.
//
// The code is laid out by job: load.go (checkpoint to backend, lifecycle,
// compute dtype), model.go (the forward pass, top to bottom), score.go
// (TokenBits and NextTokenLogProbs), batch.go (padding and batching by
// length), memory.go (what a forward pass needs, what the device has, the
// batch that fits), decoder.go (the key/value-cache Decoder), backend.go,
// backend_simd.go, backend_engine.go and plugin.go (which GoMLX backend
// runs it and with which kernels, installing a PJRT plugin),
// pythia.go (the suite's shapes), random.go and bench.go (random-weight
// models and `paperrepro bench`'s measurement).
//
// The GoMLX backend is chosen once per process (backend.go): GOMLX_BACKEND
// when set, else XLA with the CUDA plugin, else XLA with the CPU plugin,
// else GoMLX's pure-Go backend; one log line says which, and on the pure-Go
// backend its SIMD kernels (GoSIMD: AVX-512 or AVX2 in a build with
// GOEXPERIMENT=simd, else why there are none) and how to get a faster
// backend. Engine names the GoMLX versions and kernels behind a model's
// floats, which the lossless coder records. XLA is compiled in wherever cgo works
// (go build turns cgo off by itself where there is no C compiler); build
// with -tags noxla to leave it out. InstallPlugin (`paperrepro
// install-plugin`, run by `make setup`) installs a PJRT plugin with
// go-xla's installer. On an NVIDIA GPU float32 stays float32: XLA's default
// TF32 matrix products are turned off (tf32=false, NVIDIA_TF32_OVERRIDE=0 and
// --xla_gpu_enable_triton_gemm=false), and results repeat from run to run
// as the lossless coder needs (--xla_gpu_deterministic_ops=true,
// --xla_gpu_autotune_level=0), unless the environment sets these;
// Options.DType bfloat16 is the fast path there.
package neox
