#!/usr/bin/python3
"""PyTorch CPU training throughput for the paper's sigmoid MLPs, the peer of `train-table`.

Same architecture (784-h-h-10, sigmoid, soft-max cross-entropy), batch, optimiser (SGD, momentum 0.9, weight decay
as in the paper), random MNIST-shaped data. Debian's torch has its own thread pool and OpenBLAS's: every
combination of torch.set_num_threads and OPENBLAS_NUM_THREADS in {1, 2} is run by train_compare.sh and the best is
reported. Usage: train_torch.py TORCH_THREADS [SECONDS]
"""
import sys, time
import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
torch.manual_seed(1)
N = 20000
x = torch.rand(N, 784)
y = torch.arange(N) % 10
print("model\tbatch\tsamples_per_second")
for name, h in (("FC100-100-10", 100), ("FC200-200-10", 200)):
    for batch in (1, 32, 128):
        model = torch.nn.Sequential(torch.nn.Linear(784, h), torch.nn.Sigmoid(), torch.nn.Linear(h, h), torch.nn.Sigmoid(), torch.nn.Linear(h, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-5)
        loss_fn = torch.nn.CrossEntropyLoss()

        def epoch(limit):
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

        epoch(2000 if batch == 1 else 10000)
        start = time.perf_counter(); samples = 0
        while time.perf_counter() - start < seconds:
            samples += epoch(N)
        print(f"{name}\t{batch}\t{samples / (time.perf_counter() - start):.0f}")
