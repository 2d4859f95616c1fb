#!/usr/bin/python3
"""The paper's seed protocol on the tiny checkpoints, computed independently of
paperrepro's Go code: chunks cut here from the data files, token ids from
Hugging Face's tokenizers (Rust, through npm), the forward pass of
../shared/tools/neox_ref.py (PyTorch) in float64. make_expected.sh runs it.

usage: reference.py texts [--bytes B] [--modalities M,...] CHUNKS_DIR N > texts.json
       reference.py score [--bytes B] [--modalities M,...] [--means] CHUNKS_DIR GRID_DIR IDS_JSONL OUT_CSV

CHUNKS_DIR holds text.bin, speech.bin and image.bin, each the concatenation of
at least N chunks of B bytes (default 2048, the paper's). `texts` maps every
chunk with chr(b % 128), as the paper did, for the tokenizer; `score` reads the
ids back (one JSON line per chunk, named MODALITY/INDEX), keeps the first 1024,
and writes per chunk the tokens, bits and compression ratio (bits / (8 B)) to
OUT_CSV; with --means also, per cell, the mean ratio to OUT_CSV with
_chunks.csv replaced by .csv.
"""
import argparse, csv, json, math, os, struct, sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/tools"))
from neox_ref import forward  # noqa: E402  the independent GPT-NeoX forward pass

MAX_TOKENS = 1024
DTYPES = {"F16": torch.float16, "F32": torch.float32, "BF16": torch.bfloat16}


def chunks(chunks_dir, modality, n, size):
    data = open(os.path.join(chunks_dir, modality + ".bin"), "rb").read()
    if len(data) < n * size:
        sys.exit(f"{modality}.bin has {len(data)} bytes, fewer than {n} chunks of {size}")
    return [data[i * size:(i + 1) * size] for i in range(n)]


def texts(a):
    out = []
    for m in a.modalities:
        for i, c in enumerate(chunks(a.chunks_dir, m, a.n, a.bytes)):
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


def score(a):
    ids = {}
    for line in open(a.ids):
        case = json.loads(line)
        ids[case["name"]] = case["ids"][:MAX_TOKENS]
    n = 1 + max(int(k.split("/")[1]) for k in ids)
    rows, cells = [], []
    models = [d for d in sorted(os.listdir(a.grid_dir)) if os.path.isdir(os.path.join(a.grid_dir, d))]
    for model in models:
        for step in sorted(os.listdir(os.path.join(a.grid_dir, model))):
            folder = os.path.join(a.grid_dir, model, step)
            cfg = json.load(open(os.path.join(folder, "config.json")))
            sd = load_safetensors(os.path.join(folder, "model.safetensors"))
            params = sum(t.numel() for t in sd.values())  # embeddings included, as the grid counts
            for m in a.modalities:
                ratios = []
                for i in range(n):
                    tokens = torch.tensor([ids[f"{m}/{i}"]])
                    with torch.no_grad():
                        logits = forward(sd, cfg, tokens).double()
                    logp = torch.log_softmax(logits, -1)[0, :-1]
                    bits = float(-logp.gather(-1, tokens[0, 1:, None]).sum() / math.log(2))
                    ratio = bits / (8 * a.bytes)
                    ratios.append(ratio)
                    rows.append([model, step, m, i, tokens.shape[1], f"{bits:.6f}", f"{ratio:.8f}"])
                cells.append([model, params, step.removeprefix("step"), m, n, f"{sum(ratios) / n:.8f}"])
            print(f"{model} {step}: done", file=sys.stderr)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "step", "modality", "chunk", "tokens", "bits", "compression_ratio"])
        w.writerows(rows)
    if a.means:
        with open(a.out.replace("_chunks.csv", ".csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["model", "params", "step", "modality", "chunks", "compression_ratio"])
            w.writerows(cells)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["texts", "score"])
    ap.add_argument("--bytes", type=int, default=2048, help="chunk size")
    ap.add_argument("--modalities", type=lambda s: s.split(","), default=["text", "speech", "image"])
    ap.add_argument("--means", action="store_true", help="score: also write the per-cell means")
    ap.add_argument("chunks_dir")
    ap.add_argument("rest", nargs="+")
    a = ap.parse_args()
    if a.command == "texts" and len(a.rest) == 1:
        a.n = int(a.rest[0])
        texts(a)
    elif a.command == "score" and len(a.rest) == 3:
        a.grid_dir, a.ids, a.out = a.rest
        if a.means and not a.out.endswith("_chunks.csv"):
            ap.error("--means needs an OUT_CSV named *_chunks.csv (the means go to *.csv)")
        score(a)
    else:
        ap.error("wrong number of arguments")


if __name__ == "__main__":
    main()
