"""The data loader's PyTorch peer: `/usr/bin/python3 torch_loader.py DIR WORKERS...`.

torchvision's ImageFolder-style pipeline on the JPEGs loader_case.mjs wrote to DIR/images:
PIL decode, RandomResizedCrop(224, bicubic), RandomHorizontalFlip, ToTensor, Normalize (ImageNet
mean/std), batch 16, shuffled; a DataLoader per worker count, one warm-up epoch then two timed.
Prints one JSON line per worker count (seconds per image).
"""
import glob
import json
import os
import sys
import time

import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms as T


class Files(Dataset):
    def __init__(self, paths, transform):
        self.paths, self.transform = paths, transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with Image.open(self.paths[i]) as im:
            return self.transform(im.convert("RGB")), i % 10


def main():
    root, workers = sys.argv[1], [int(w) for w in sys.argv[2:]]
    torch.set_num_threads(1)
    paths = sorted(glob.glob(os.path.join(root, "images", "*.jpg")))
    transform = T.Compose([
        T.RandomResizedCrop(224, interpolation=T.InterpolationMode.BICUBIC),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    ])
    data = Files(paths, transform)
    for w in workers:
        loader = DataLoader(data, batch_size=16, shuffle=True, num_workers=w, persistent_workers=w > 0)
        for _ in loader:  # warm-up: worker start-up
            pass
        t0 = time.perf_counter()
        n = 0
        for _ in range(2):
            for x, _y in loader:
                n += x.shape[0]
        seconds = (time.perf_counter() - t0) / n
        print(json.dumps({"case": "loader/rrc224/b16", "engine": "pytorch", "threads": w, "seconds": seconds, "images": len(paths)}), flush=True)


if __name__ == "__main__":
    main()
