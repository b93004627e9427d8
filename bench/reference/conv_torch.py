#!/usr/bin/python3
"""PyTorch CPU peer of `conv-table`: MNIST-Conv training throughput at batch 64 and one AlexNet forward pass.

Same architectures as samples/Intriguing.Paper/Models/PaperModels.cs (MNIST-Conv: Conv 16@5 → ReLU → MaxPool 2 →
Conv 32@5 → ReLU → MaxPool 2 → Dense 100 → ReLU → Dense 10; AlexNet without grouping, LRN with α·n so that it
matches AlexNet's α), SGD with momentum 0.9, random data. Usage: conv_torch.py TORCH_THREADS [SECONDS]
"""
import sys, time
import torch
import torch.nn as nn

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
torch.manual_seed(1)
N = 10000
x = torch.rand(N, 1, 28, 28)
y = torch.arange(N) % 10
print("case\tvalue")
model = nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(512, 100), nn.ReLU(), nn.Linear(100, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-5)
loss_fn = nn.CrossEntropyLoss()


def epoch(limit, batch=64):
    perm = torch.randperm(N)
    done = 0
    for s in range(0, limit, batch):
        idx = perm[s:s + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        done += len(idx)
    return done


epoch(2000)
start = time.perf_counter(); samples = 0
while time.perf_counter() - start < seconds:
    samples += epoch(N)
print(f"MNIST-Conv training, batch 64 (samples/s)\t{samples / (time.perf_counter() - start):.0f}")

xb, yb = x[:32], y[:32]
for _ in range(50):
    opt.zero_grad(); loss_fn(model(xb), yb).backward()
best = 1e9
for r in range(20):
    t0 = time.perf_counter()
    opt.zero_grad(); loss_fn(model(x[r * 32:(r + 1) * 32]), y[r * 32:(r + 1) * 32]).backward()
    best = min(best, (time.perf_counter() - t0) * 1e6 / 32)
print(f"MNIST-Conv LossAndGradient, batch 32, one thread (µs/sample)\t{best:.1f}")

lrn = lambda: nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)
alex = nn.Sequential(
    nn.Conv2d(3, 96, 11, 4, 2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
    nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
    nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
    nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(),
    nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 1000), nn.Softmax(dim=1)).eval()
image = torch.rand(1, 3, 224, 224)
with torch.no_grad():
    alex(image)
    best = min((lambda t0: (alex(image), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(5))
print(f"AlexNet forward, one sample (ms)\t{best * 1000:.1f}")
