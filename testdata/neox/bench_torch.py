#!/usr/bin/python3
"""Times PyTorch on a Pythia shape with random weights, as `paperrepro bench`
times the Go model: the seed protocol's forward pass (GPT-NeoX, as in
transformers' modeling_gpt_neox) on BATCH random sequences of SEQ tokens, then
-log p of each next token from a float64 log-softmax. Prints tokens/s and the
BLAS library PyTorch runs on, with the CPU time and the minor page faults
per call (fresh memory its allocator maps in).

Debian's python3-torch uses the reference BLAS unless libopenblas0-pthread is
installed (then it is several times faster): install that first, and compare
in one run on an otherwise idle machine with compare_cpu.sh beside this file.

usage: /usr/bin/python3 bench_torch.py [--model 70m] [--batch 4] [--seq 1024] [--seconds 30] [--threads N]
       /usr/bin/python3 bench_torch.py --model 70m --write-checkpoint DIR   (the same random weights, for paperrepro)
"""
import argparse, math, os, resource, time
import torch

# The public Pythia configs (hidden, layers, heads); intermediate = 4 x hidden,
# rotary_pct 0.25, vocabulary 50,304, parallel residual, exact GELU.
SHAPES = {"70m": (512, 6, 8), "160m": (768, 12, 12), "410m": (1024, 24, 16), "1b": (2048, 16, 8), "1.4b": (2048, 24, 16)}
VOCAB = 50304


def random_model(hidden, layers, heads, seed=1):
    g = torch.Generator().manual_seed(seed)
    w = lambda *shape: torch.randn(*shape, generator=g) / math.sqrt(shape[-1])
    p = {"embed_in": w(VOCAB, hidden), "embed_out": w(VOCAB, hidden),
         "final_ln": (torch.ones(hidden), torch.zeros(hidden)), "layers": []}
    for _ in range(layers):
        p["layers"].append({
            "ln1": (torch.ones(hidden), torch.zeros(hidden)), "ln2": (torch.ones(hidden), torch.zeros(hidden)),
            "qkv": (w(3 * hidden, hidden), torch.zeros(3 * hidden)), "dense": (w(hidden, hidden), torch.zeros(hidden)),
            "up": (w(4 * hidden, hidden), torch.zeros(4 * hidden)), "down": (w(hidden, 4 * hidden), torch.zeros(hidden))})
    return p


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


@torch.no_grad()
def token_nll(p, heads, ids):
    B, T = ids.shape
    d = p["embed_in"].shape[1]
    hs = d // heads
    rd = hs // 4
    inv = 1.0 / (10000 ** (torch.arange(0, rd, 2, dtype=torch.float64) / rd))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().float(), emb.sin().float()
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    ln = lambda v, wb: torch.nn.functional.layer_norm(v, (d,), wb[0], wb[1], 1e-5)
    lin = lambda v, wb: torch.nn.functional.linear(v, wb[0], wb[1])
    x = p["embed_in"][ids]
    for L in p["layers"]:
        qkv = lin(ln(x, L["ln1"]), L["qkv"]).view(B, T, heads, 3 * hs)
        q, k, v = (qkv[..., i * hs:(i + 1) * hs].permute(0, 2, 1, 3) for i in range(3))
        q = torch.cat((q[..., :rd] * cos + rotate_half(q[..., :rd]) * sin, q[..., rd:]), -1)
        k = torch.cat((k[..., :rd] * cos + rotate_half(k[..., :rd]) * sin, k[..., rd:]), -1)
        s = torch.where(mask, (q @ k.transpose(-1, -2)) * hs ** -0.5, torch.finfo(torch.float32).min)
        a = (torch.softmax(s, -1) @ v).permute(0, 2, 1, 3).reshape(B, T, d)
        mlp = lin(torch.nn.functional.gelu(lin(ln(x, L["ln2"]), L["up"])), L["down"])
        x = x + lin(a, L["dense"]) + mlp
    logits = ln(x, p["final_ln"]) @ p["embed_out"].T
    logp = torch.log_softmax(logits[:, :-1].double(), -1)
    return -logp.gather(-1, ids[:, 1:, None]).squeeze(-1)


def write_checkpoint(p, heads, out):
    """Writes the random model as a Hugging Face GPT-NeoX checkpoint folder
    (config.json, model.safetensors in float32), for paperrepro to load the
    very same weights: `paperrepro compress -model-dir OUT` times the
    lossless coder end to end on the Pythia shape."""
    import json, struct
    hidden, layers = p["embed_in"].shape[1], len(p["layers"])
    tensors = {"gpt_neox.embed_in.weight": p["embed_in"], "embed_out.weight": p["embed_out"],
               "gpt_neox.final_layer_norm.weight": p["final_ln"][0], "gpt_neox.final_layer_norm.bias": p["final_ln"][1]}
    names = {"ln1": "input_layernorm", "ln2": "post_attention_layernorm", "qkv": "attention.query_key_value",
             "dense": "attention.dense", "up": "mlp.dense_h_to_4h", "down": "mlp.dense_4h_to_h"}
    for i, L in enumerate(p["layers"]):
        for key, name in names.items():
            tensors[f"gpt_neox.layers.{i}.{name}.weight"], tensors[f"gpt_neox.layers.{i}.{name}.bias"] = L[key]
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        blob = t.contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    meta = json.dumps(header).encode()
    meta += b" " * (-len(meta) % 8)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(meta)) + meta)
        for blob in blobs:
            f.write(blob)
    config = {"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_act": "gelu",
              "hidden_size": hidden, "intermediate_size": 4 * hidden, "num_attention_heads": heads,
              "num_hidden_layers": layers, "vocab_size": VOCAB, "rotary_pct": 0.25, "rotary_emb_base": 10000,
              "layer_norm_eps": 1e-5, "max_position_embeddings": 2048, "use_parallel_residual": True,
              "tie_word_embeddings": False, "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "float32"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


def blas_library():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
    return ", ".join(sorted(libs)) or "unknown (not Linux?)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="70m", choices=sorted(SHAPES))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--seconds", type=float, default=30, help="time calls for at least this long, after one untimed call")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: PyTorch's own choice)")
    ap.add_argument("--write-checkpoint", metavar="DIR", help="write the random model as a GPT-NeoX checkpoint folder and exit")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    hidden, layers, heads = SHAPES[a.model]
    p = random_model(hidden, layers, heads)
    if a.write_checkpoint:
        write_checkpoint(p, heads, a.write_checkpoint)
        return
    ids = torch.randint(0, VOCAB, (a.batch, a.seq), generator=torch.Generator().manual_seed(7))
    for _ in range(2):  # warm-up: an allocator that keeps memory has it all after two calls
        token_nll(p, heads, ids)
    calls, start = 0, time.perf_counter()
    cpu0, faults0 = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    while calls == 0 or time.perf_counter() - start < a.seconds:
        token_nll(p, heads, ids)
        calls += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0) / calls
    tokens = calls * a.batch * a.seq
    print(f"pytorch {torch.__version__} pythia-{a.model} {a.batch} x {a.seq}: {tokens / elapsed:.0f} tokens/s, "
          f"{tokens / cpu:.0f} tokens/cpu-s, {faults:.0f} faults/call "
          f"({calls} calls in {elapsed:.1f} s, {torch.get_num_threads()} threads, BLAS: {blas_library()}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, LD_PRELOAD={os.environ.get('LD_PRELOAD', '(unset)')})")
    if "openblas" not in blas_library():
        print("warning: not on OpenBLAS: install libopenblas0-pthread (apt-get install libopenblas0-pthread) for PyTorch's real CPU speed")


if __name__ == "__main__":
    main()
