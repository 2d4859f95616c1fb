#!/usr/bin/env bash
# The GPU check: runs paperrepro on an NVIDIA GPU through GoMLX's XLA
# backend with JAX's CUDA PJRT plugin, from the bundle build.sh made (no Go,
# no network needed), and prints one summary:
#
#   backend     a model loads on xla:cuda when nothing is asked for (the default choice)
#   golden      the GPT-NeoX golden fixtures within 1e-4 of PyTorch (neox tests)
#   seed-cells  the pythia-tiny seed cells within 1e-4 of expected_seed_protocol.csv (TestMiniGrid)
#   compress    compress and decompress a file, byte for byte
#   bench       `paperrepro bench` for the five Pythia shapes: tokens/s, memory, grid ETA
#   bench-bf16  (when time is left) the same for 70m and 1.4b computing in bfloat16, where
#               attention runs as cuDNN's fused (flash) attention; bench-bf16-unfused again
#               with GOMLX_FUSION=0, XLA's own attention, to weigh it
#
# Run from anywhere inside the repository checkout (the tests read testdata/):
#
#   paperrepro/gpucheck/run.sh              the check: at most about 8 minutes (each step has a time limit)
#   run.sh --discover                       only find the plugin and CUDA libraries, print what was found
#
# Environment:
#   PYTHON            the Python whose site-packages hold jax_plugins/xla_cuda*/ and nvidia/
#                     (default /opt/torch/.venv/bin/python3, else python3)
#   GPUCHECK_BUNDLE   the bundle folder (default: bundle/ beside this script)
#   GPUCHECK_OUT      where logs go (default $OUT when set, else a temporary folder)
#   GPUCHECK_BUDGET   seconds after which no step starts (default 450)
#   GPUCHECK_BACKEND  "go" runs the steps on the pure-Go backend without any GPU, with a
#                     small budget: for checking this script on a machine without one
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bundle=${GPUCHECK_BUNDLE:-$here/bundle}
backend=${GPUCHECK_BACKEND:-cuda}
start=$SECONDS

die() {
	echo "GPU CHECK FAILED: $*" >&2
	exit 1
}

# --- the plugin and CUDA libraries -----------------------------------------

find_python() {
	local p
	for p in "${PYTHON:-}" /opt/torch/.venv/bin/python3 python3; do
		if [[ -n $p ]] && command -v "$p" >/dev/null 2>&1; then
			command -v "$p"
			return 0
		fi
	done
	return 1
}

# discover sets plugin, site, nvidia_libs, cuda_dir from the Python's
# site-packages, or dies saying which piece is missing.
discover() {
	python=$(find_python) || die "no Python found (looked for \$PYTHON, /opt/torch/.venv/bin/python3, python3): JAX's CUDA plugin is found through its site-packages"
	local sites s f
	sites=$("$python" -c 'import site; print("\n".join(site.getsitepackages() + [site.getusersitepackages()]))') ||
		die "$python cannot list its site-packages"
	plugin="" site=""
	while IFS= read -r s; do
		for f in "$s"/jax_plugins/xla_cuda*/xla_cuda_plugin.so; do
			[[ -f $f ]] && plugin=$f site=$s # the last match: the newest CUDA
		done
	done <<<"$sites"
	[[ -n $plugin ]] || die "no JAX CUDA PJRT plugin (jax_plugins/xla_cuda*/xla_cuda_plugin.so) in the site-packages of $python:
$sites
Install it with: $python -m pip install jax-cuda13-pjrt jax-cuda13-plugin (or point PYTHON at the Python that has it)"
	[[ -d $site/nvidia ]] || die "no nvidia/ folder beside the plugin in $site: the CUDA libraries come with the nvidia-* wheels (pip install jax-cuda13-plugin)"
	nvidia_libs=$(find "$site/nvidia" -maxdepth 3 -type d -name lib | LC_ALL=C sort | paste -sd: -)
	[[ -n $nvidia_libs ]] || die "no lib/ folders under $site/nvidia: the nvidia-* wheels seem incomplete"
	local ptxas
	ptxas=$(find "$site/nvidia" -maxdepth 4 -type f -name ptxas 2>/dev/null | LC_ALL=C sort | head -n1)
	cuda_dir=""
	[[ -n $ptxas ]] && cuda_dir=$(dirname "$(dirname "$ptxas")")
	plugin_version=$("$python" -c 'import importlib.metadata as m
for p in ("jax-cuda13-pjrt", "jax-cuda12-pjrt"):
    try:
        print(p, m.version(p)); break
    except m.PackageNotFoundError:
        pass' 2>/dev/null)
}

# setup_cuda lays out the plugin where go-xla looks for it and exports the
# environment the XLA backend needs.
setup_cuda() {
	mkdir -p "$work/pjrt"
	# go-xla v0.4 (pjrt/dynamiclib_base.go) lists the plugins in the folders
	# of PJRT_PLUGIN_LIBRARY_PATH by file name (pjrt_c_api_<name>_plugin.so),
	# so that GOMLX_BACKEND unset or xla:cuda finds this one as "cuda"
	# (GOMLX_BACKEND=xla:/abs/path/xla_cuda_plugin.so would load it by path
	# but is not the default choice); and it expects the CUDA libraries in
	# ../nvidia from the plugin's folder (pjrt/cuda_linux.go), where JAX's
	# wheels have them only relative to site-packages.
	ln -sf "$plugin" "$work/pjrt/pjrt_c_api_cuda_plugin.so"
	ln -sfn "$site/nvidia" "$work/nvidia"
	export PJRT_PLUGIN_LIBRARY_PATH=$work/pjrt
	export LD_LIBRARY_PATH=$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	if [[ -n $cuda_dir ]]; then
		export XLA_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }--xla_gpu_cuda_data_dir=$cuda_dir"
		export PATH=$cuda_dir/bin:$PATH
	fi
}

if [[ ${1-} == --discover ]]; then
	work=$(mktemp -d)
	discover
	setup_cuda
	echo "python: $python"
	echo "plugin: $plugin (${plugin_version:-version unknown})"
	echo "PJRT_PLUGIN_LIBRARY_PATH=$PJRT_PLUGIN_LIBRARY_PATH -> $(readlink "$work/pjrt/pjrt_c_api_cuda_plugin.so")"
	echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
	echo "XLA_FLAGS=${XLA_FLAGS:-}"
	[[ -n $cuda_dir ]] || echo "warning: no ptxas under $site/nvidia: XLA compiles kernels through the driver instead"
	rm -rf "$work"
	exit 0
fi

# --- the bundle and the machine ---------------------------------------------

for tool in timeout cmp head tar; do
	command -v "$tool" >/dev/null || die "the $tool command is missing"
done
[[ -f $bundle/bin.tar.xz && -d $bundle/shared/fixtures/pythia-tiny ]] ||
	die "no bundle in $bundle: build it first on a machine with Go and a C compiler (make gpu-check-bundle) and bring paperrepro/gpucheck/bundle/ along"
[[ -f $root/go.mod && -d $root/testdata/neox ]] || die "run this inside the repository checkout ($root has no go.mod or testdata/neox)"
work=$(mktemp -d)
logs=${GPUCHECK_OUT:-${OUT:-$work/logs}}
mkdir -p "$logs" "$work/bin"
python=$(find_python || true)
if [[ -n $python ]]; then
	"$python" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$bundle/bin.tar.xz" "$work/bin" ||
		die "cannot unpack $bundle/bin.tar.xz with $python"
else
	tar -C "$work/bin" -xJf "$bundle/bin.tar.xz" || die "cannot unpack $bundle/bin.tar.xz (no Python, and tar lacks xz)"
fi
bin=$work/bin
if ldd "$bin/paperrepro" 2>&1 | grep -q "not found"; then
	die "the bundled binary cannot run here: $(ldd "$bin/paperrepro" 2>&1 | grep 'not found' | head -n2) (build the bundle on a machine with an older glibc)"
fi
export PAPERREPRO_SHARED=$bundle/shared
data=$bundle/shared/data
tiny=$bundle/shared/fixtures/pythia-tiny/pythia-tiny-16/step1000

if [[ $backend == go ]]; then
	gpu="none (GPUCHECK_BACKEND=go: pure-Go backend, small budget)"
	export GOMLX_BACKEND=go
	want_backend=go
	chunks=1 bench_args="-models 70m -seq 64 -time 0" bf16_args="-models 70m -seq 64 -time 0" seed_timeout=600
else
	command -v nvidia-smi >/dev/null || die "nvidia-smi is missing: this check needs an NVIDIA GPU and its driver"
	gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n1)
	nvidia-smi -L 2>/dev/null | grep -q "GPU " || die "nvidia-smi lists no GPU: $gpu"
	discover
	setup_cuda
	want_backend=xla:cuda
	chunks=16 bench_args="-time 3s" bf16_args="-models 70m,1.4b -time 3s" seed_timeout=120
fi

# --- the steps ---------------------------------------------------------------

names=() states=() times=() notes=()
budget=${GPUCHECK_BUDGET:-450} # seconds: no step starts after this, so the whole check ends within about 8 minutes
# step NAME TIMEOUT NOTE FUNCTION: runs the shell function FUNCTION (in a
# child bash, under timeout) with its output in $logs/NAME.log, and records
# PASS or FAIL; SKIP when the budget is spent (for an optional step, whose
# name ends in ?, a SKIP does not fail the check).
step() {
	local name=$1 limit=$2 note=$3 fn=$4
	local t0=$SECONDS state=PASS
	if ((SECONDS - start > budget)); then
		names+=("$name") states+=(SKIP) times+=(0) notes+=("not run: the ${budget}s budget was spent")
		return
	fi
	name=${name%\?}
	echo "== $name ($fn)" >"$logs/$name.log"
	timeout --kill-after=10 "$limit" bash -c "$fn" >>"$logs/$name.log" 2>&1
	local rc=$?
	if ((rc == 124 || rc == 137)); then
		state=FAIL note="timed out after ${limit}s: $note"
	elif ((rc != 0)); then
		state=FAIL note="exit $rc: $(grep -m1 -E -- '--- FAIL|FAIL|rror|panic' "$logs/$name.log" | cut -c1-200)"
	fi
	names+=("$name") states+=("$state") times+=($((SECONDS - t0))) notes+=("$note")
	echo "$state $name ($((SECONDS - t0))s)" >&2
}

# backend: with GOMLX_BACKEND unset, the default choice must be XLA on the GPU.
check_backend() {
	(unset GOMLX_BACKEND && "$bin/paperrepro" bench -config "$tiny/config.json" -seq 64 -batch 1 -time 0 -sample 0 -results "$work/none") || return 1
	grep -q "GoMLX backend $want_backend " "$logs/backend.log" || {
		echo "FAIL: the default backend is not $want_backend:"
		grep "GoMLX backend" "$logs/backend.log"
		return 1
	}
}

golden() {
	cd "$root/paperrepro/neox" && "$bin/neox.test" -test.v -test.run '^(TestGolden|TestDecoderMatchesFullPass|TestComputeDTypes)$'
}

seed_cells() {
	cd "$root/paperrepro" && "$bin/paperrepro.test" -test.v -test.run '^TestMiniGrid$/^seed$' -minigrid.chunks="$chunks"
}

compress_roundtrip() {
	local in=$work/input.bin
	{ head -c 4096 "$data/enwik8/enwik8.prefix"; head -c 2048 "$bundle/bin.tar.xz"; } >"$in"
	"$bin/paperrepro" compress -model-dir "$tiny" -tokenizer "$data/tokenizer/tokenizer.json" -o "$work/input.prz" "$in" &&
		"$bin/paperrepro" decompress -model-dir "$tiny" -tokenizer "$data/tokenizer/tokenizer.json" -o "$work/output.bin" "$work/input.prz" &&
		cmp "$in" "$work/output.bin" && grep -q "backend $want_backend/" "$logs/compress.log"
}

bench_bf16() {
	# shellcheck disable=SC2086 # bf16_args is a list of flags
	"$bin/paperrepro" bench $bf16_args -dtype bfloat16 -data-dir "$data" -sample 16 -results "$work/none"
}

bench_bf16_unfused() {
	export GOMLX_FUSION=0
	bench_bf16
}

bench() {
	# shellcheck disable=SC2086 # bench_args is a list of flags
	"$bin/paperrepro" bench $bench_args -data-dir "$data" -sample 16 -results "$work/none" && return 0
	echo "FAIL: bench with the default batch failed (see above); again with -batch 32"
	"$bin/paperrepro" bench $bench_args -batch 32 -data-dir "$data" -sample 16 -results "$work/none"
	return 1
}

export -f check_backend golden seed_cells compress_roundtrip bench bench_bf16 bench_bf16_unfused
export bin root tiny data work logs want_backend chunks bundle bench_args bf16_args

step backend 120 "a model loads on $want_backend by default" check_backend
[[ $backend == go ]] || export GOMLX_BACKEND=xla:cuda # from here on, no silent fall-back
step golden 120 "GPT-NeoX golden fixtures within 1e-4 of PyTorch (full pass, decoder, each compute dtype)" golden
step seed-cells "$seed_timeout" "pythia-tiny seed cells ($chunks chunks per modality) within 1e-4 of expected_seed_protocol.csv" seed_cells
step compress 90 "6144 bytes (text, then xz data) compressed and decompressed byte for byte on $want_backend" compress_roundtrip
step bench 270 "paperrepro bench $bench_args" bench
step 'bench-bf16?' 120 "paperrepro bench $bf16_args -dtype bfloat16 (cuDNN's fused attention)" bench_bf16
step 'bench-bf16-unfused?' 120 "the same with GOMLX_FUSION=0 (XLA's own attention), to weigh the fused one" bench_bf16_unfused

# --- the summary -------------------------------------------------------------

failed=0
echo
echo "GPU check of paperrepro ($(head -n1 "$bundle/MANIFEST" 2>/dev/null)) in $((SECONDS - start))s"
echo "GPU: $gpu"
[[ $backend == go ]] || echo "plugin: $plugin (${plugin_version:-version unknown}); XLA_FLAGS=${XLA_FLAGS:-} (neox adds tf32=false, NVIDIA_TF32_OVERRIDE=0 and --xla_gpu_enable_triton_gemm=false: float32 without TF32; preallocate=false; --xla_gpu_deterministic_ops=true --xla_gpu_autotune_level=0: repeatable results)"
for i in "${!names[@]}"; do
	printf '  %-4s  %-10s  %5ss  %s\n' "${states[$i]}" "${names[$i]%\?}" "${times[$i]}" "${notes[$i]}"
	[[ ${states[$i]} == PASS || (${states[$i]} == SKIP && ${names[$i]} == *\?) ]] || failed=1
done
for log in bench bench-bf16 bench-bf16-unfused; do
	[[ -f $logs/$log.log ]] || continue
	echo
	echo "$log:"
	sed -n '/^ *model /,$p' "$logs/$log.log" | sed 's/^/  /'
done
echo
echo "logs: $logs"
rm -rf "$work/bin"
exit $failed
