#!/usr/bin/python3
"""Shard a pytorch_model.bin the way transformers' save_pretrained does for
large models (Pythia 2.8b, 6.9b and 12b store their step checkpoints so):
pytorch_model-0000i-of-0000n.bin, each a torch.save of part of the state
dict, and pytorch_model.bin.index.json mapping every tensor name to its shard
with the total size of the tensors in metadata.total_size.

usage (from the repository root, with Debian's python3-torch):
  testdata/neox/make_sharded_bin.py testdata/neox/bin-f16-rotary100 testdata/neox/bin-f16-sharded 3

It copies config.json and writes SHARDS shards of about equal size, the
tensors in the state dict's order (transformers fills shards in that order up
to max_shard_size). neox's TestLoadShardedBin checks the sharded copy gives
the logits of the original.
"""
import json, os, shutil, sys
import torch

def main():
    src, dst, shards = sys.argv[1], sys.argv[2], int(sys.argv[3])
    state = torch.load(os.path.join(src, "pytorch_model.bin"), map_location="cpu", weights_only=True)
    sizes = {name: t.numel() * t.element_size() for name, t in state.items()}
    total = sum(sizes.values())
    os.makedirs(dst, exist_ok=True)
    shutil.copy(os.path.join(src, "config.json"), os.path.join(dst, "config.json"))
    parts, part, filled = [], {}, 0
    for name, t in state.items():
        if part and filled + sizes[name] > total / shards and len(parts) < shards - 1:
            parts.append(part); part, filled = {}, 0
        part[name] = t.clone()  # its own storage, as save_pretrained writes
        filled += sizes[name]
    parts.append(part)
    weight_map = {}
    for i, part in enumerate(parts, 1):
        file = f"pytorch_model-{i:05d}-of-{len(parts):05d}.bin"
        torch.save(part, os.path.join(dst, file))
        weight_map.update({name: file for name in part})
    with open(os.path.join(dst, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")
    print(dst, len(parts), "shards,", total, "bytes of tensors")

if __name__ == "__main__":
    main()
