"""The PyTorch peer: `/usr/bin/python3 torch_peer.py DIR THREADS RUNS`.

`torch_peer.py --save-pth DIR MODEL` instead writes DIR/MODEL.pth (torch.save of the state dict,
the zip format) from DIR/MODEL.safetensors: the input of the conversion cases.

Runs every case of DIR/cases.json on PyTorch's CPU backend with the weights our side wrote
(DIR/<model>.safetensors, timm's keys) and the same inputs, and prints one JSON line per case.
The model is timm's VisionTransformer forward written out for the plain configs the benchmark
uses (class token, pre-norm blocks, exact GELU, LayerNorm eps 1e-6, token pooling) and its
state dict is loaded with strict=True, so a mismatch in keys or shapes fails loudly; attention
is the explicit softmax(q k^T) v that timm runs on torch < 2.0 (Debian's torch is 1.13).
No safetensors package is needed: the header is JSON, the data little-endian float32.
"""
import json
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{key}: expected F32, got {entry['dtype']}")
        begin, end = entry["data_offsets"]
        out[key] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(entry["shape"])
    return out


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        dim = c["embedDim"]
        tokens = (c["imgSize"] // c["patchSize"]) ** 2 + 1
        self.patch_embed = PatchEmbed(c["patchSize"], dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))
        hidden = int(dim * c["mlpRatio"])
        self.blocks = nn.Sequential(*[Block(dim, c["numHeads"], hidden) for _ in range(c["depth"])])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, c["numClasses"])

    def forward(self, x):  # NHWC, as our side and the ONNX export take it
        x = self.patch_embed(x.permute(0, 3, 1, 2))
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        return self.head(self.norm(self.blocks(x))[:, 0])


def timed(fn, runs):
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2]


def save_pth(root, name):
    torch.save(read_safetensors(os.path.join(root, name + ".safetensors")), os.path.join(root, name + ".pth"))


def main():
    if sys.argv[1] == "--save-pth":
        save_pth(sys.argv[2], sys.argv[3])
        return
    root, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    with open(os.path.join(root, "cases.json")) as f:
        cases = json.load(f)
    for c in cases:
        with open(os.path.join(root, c["model"] + ".json")) as f:
            config = json.load(f)
        model = VisionTransformer(config)
        model.load_state_dict(read_safetensors(os.path.join(root, c["model"] + ".safetensors")), strict=True)
        stem = os.path.join(root, c["name"].replace("/", "_"))
        with open(stem + ".x.f32", "rb") as f:
            x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(c["batch"], c["imgSize"], c["imgSize"], 3)
        row = {"case": c["name"], "engine": "pytorch", "threads": threads, "version": torch.__version__}
        if c["kind"] == "infer":
            model.eval()
            with torch.no_grad():
                logits = model(x)
                with open(stem + ".pytorch.f32", "wb") as f:
                    f.write(logits.numpy().astype("<f4").tobytes())
                row["seconds"] = timed(lambda: model(x), runs) / c["batch"]
        else:
            with open(stem + ".y.i32", "rb") as f:
                y = torch.frombuffer(bytearray(f.read()), dtype=torch.int32).long()
            model.train()
            params = model.parameters()
            if c["kind"] == "train-head":  # a linear probe: only the head learns, nothing else is taped
                for p in model.parameters():
                    p.requires_grad_(False)
                params = list(model.head.parameters())
                for p in params:
                    p.requires_grad_(True)
            opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.05)
            losses = []

            def step():
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                losses.append(loss.item())

            row["seconds"] = timed(step, runs)
            row["losses"] = losses[:2]
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
