#!/usr/bin/python3
"""The paper's seed protocol on the tiny checkpoints, computed independently of
paperrepro's Go code: chunks cut here from the data files, token ids from
Hugging Face's tokenizers (Rust, through npm), the forward pass of
../shared/tools/neox_ref.py (PyTorch) in float64. make_expected.sh runs it.

usage: reference.py texts CHUNKS_DIR N > texts.json
       reference.py score CHUNKS_DIR GRID_DIR IDS_JSONL OUT_DIR

CHUNKS_DIR holds text.bin, speech.bin and image.bin, each the concatenation of
at least N 2048-byte chunks. `texts` maps every chunk with chr(b % 128), as the
paper did, for the tokenizer; `score` reads the ids back (one JSON line per
chunk, named MODALITY/INDEX), keeps the first 1024, and writes
expected_seed_protocol_chunks.csv (per chunk: tokens, bits, compression ratio)
and expected_seed_protocol.csv (per cell: the mean ratio) into OUT_DIR.
"""
import csv, json, math, os, struct, sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/tools"))
from neox_ref import forward  # noqa: E402  the independent GPT-NeoX forward pass

CHUNK = 2048
MAX_TOKENS = 1024
MODALITIES = ["text", "speech", "image"]
DTYPES = {"F16": torch.float16, "F32": torch.float32, "BF16": torch.bfloat16}


def chunks(chunks_dir, modality, n):
    data = open(os.path.join(chunks_dir, modality + ".bin"), "rb").read()
    if len(data) < n * CHUNK:
        sys.exit(f"{modality}.bin has {len(data)} bytes, fewer than {n} chunks of {CHUNK}")
    return [data[i * CHUNK:(i + 1) * CHUNK] for i in range(n)]


def texts(chunks_dir, n):
    out = []
    for m in MODALITIES:
        for i, c in enumerate(chunks(chunks_dir, m, n)):
            out.append({"name": f"{m}/{i}", "text": "".join(chr(b % 128) for b in c)})
    json.dump(out, sys.stdout)


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    body = raw[8 + n:]
    out = {}
    for name, h in header.items():
        start, end = h["data_offsets"]
        t = torch.frombuffer(bytearray(body[start:end]), dtype=DTYPES[h["dtype"]])
        out[name] = t.reshape(h["shape"]).double()
    return out


def score(chunks_dir, grid_dir, ids_path, out_dir):
    ids = {}
    for line in open(ids_path):
        case = json.loads(line)
        ids[case["name"]] = case["ids"][:MAX_TOKENS]
    n = 1 + max(int(k.split("/")[1]) for k in ids)
    rows, cells = [], []
    models = [d for d in sorted(os.listdir(grid_dir)) if os.path.isdir(os.path.join(grid_dir, d))]
    for model in models:
        for step in sorted(os.listdir(os.path.join(grid_dir, model))):
            folder = os.path.join(grid_dir, model, step)
            cfg = json.load(open(os.path.join(folder, "config.json")))
            sd = load_safetensors(os.path.join(folder, "model.safetensors"))
            params = sum(t.numel() for t in sd.values())  # embeddings included, as the grid counts
            for m in MODALITIES:
                ratios = []
                for i in range(n):
                    tokens = torch.tensor([ids[f"{m}/{i}"]])
                    with torch.no_grad():
                        logits = forward(sd, cfg, tokens).double()
                    logp = torch.log_softmax(logits, -1)[0, :-1]
                    bits = float(-logp.gather(-1, tokens[0, 1:, None]).sum() / math.log(2))
                    ratio = bits / (8 * CHUNK)
                    ratios.append(ratio)
                    rows.append([model, step, m, i, tokens.shape[1], f"{bits:.6f}", f"{ratio:.8f}"])
                cells.append([model, params, step.removeprefix("step"), m, n, f"{sum(ratios) / n:.8f}"])
            print(f"{model} {step}: done", file=sys.stderr)
    with open(os.path.join(out_dir, "expected_seed_protocol_chunks.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "step", "modality", "chunk", "tokens", "bits", "compression_ratio"])
        w.writerows(rows)
    with open(os.path.join(out_dir, "expected_seed_protocol.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "params", "step", "modality", "chunks", "compression_ratio"])
        w.writerows(cells)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "texts":
        texts(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 6 and sys.argv[1] == "score":
        score(*sys.argv[2:])
    else:
        sys.exit(__doc__)
