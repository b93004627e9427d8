#!/usr/bin/env python3
"""Writes the small PyTorch-exported ONNX models that the ONNX import tests read.

Run from the repository root with Debian's python3-torch and python3-onnx (apt-get install python3-torch python3-onnx):

    /usr/bin/python3 bench/reference/onnx/export_fixtures.py tests/Intriguing.Networks.Tests/Onnx

Each model is made from a fixed seed, exported with torch.onnx.export (opset 13, dynamic batch) and checked with
onnx.checker. The expected outputs are not written here: the tests compare the imported network with ONNX Runtime on
the same file.
"""
import os
import sys

import onnx
import torch
from torch import nn


class Mlp(nn.Module):
    """1×8×8 images flattened by nn.Flatten → 16 (ReLU) → 12 (Tanh) → 10 soft-max (the dropout is dropped in eval mode)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(8 * 8, 16), nn.ReLU(), nn.Dropout(0.3),
                                 nn.Linear(16, 12), nn.Tanh(), nn.Linear(12, 10), nn.Softmax(dim=1))

    def forward(self, x):
        return self.net(x)


class ConvPadStride(nn.Module):
    """Conv with padding 1 and stride 2, max pooling, a second conv with padding 2, then a sigmoid dense layer."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(2, 4, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 3, 5, padding=2), nn.Sigmoid(), nn.Flatten(), nn.Linear(3 * 3 * 3, 5), nn.Softmax(dim=1))

    def forward(self, x):
        return self.net(x)


class AvgPoolNet(nn.Module):
    """Conv, overlapping average pooling (3, stride 2), then a linear output (a regressor: no soft-max). PyTorch 1.13
    writes nn.LocalResponseNorm as a decomposition (Pad, AveragePool, If, ...), not as the ONNX LRN operator, so the
    LRN import is tested on the exporter's models instead."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 6, 3), nn.Tanh(), nn.AvgPool2d(3, stride=2),
            nn.Flatten(), nn.Linear(6 * 4 * 4, 4))

    def forward(self, x):
        return self.net(x)


class TinyResNet(nn.Module):
    """A ResNet in miniature for the graph bounds: stem Conv+BN+ReLU, a block with an identity skip, a block that
    halves the map with a 1×1 stride-2 projection (Conv+BN), global average pooling and a dense layer. Exported with
    training=PRESERVE, so the BatchNormalization nodes stay in the graph (in EVAL mode the exporter folds them)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU())
        self.a = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                               nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4))
        self.b = nn.Sequential(nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                               nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.project = nn.Sequential(nn.Conv2d(4, 8, 1, stride=2, bias=False), nn.BatchNorm2d(8))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(self.a(x) + x)
        x = torch.relu(self.b(x) + self.project(x))
        return self.head(x)


class GeluBlock(nn.Module):
    """A residual block with a GELU (exported as Erf, which has no Lipschitz bound in the graph analysis)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        return x + nn.functional.gelu(self.conv(x))


def warm_up(model, shape):
    """A few training-mode passes, so that the batch normalisations' running statistics are not the identity's."""
    model.train()
    with torch.no_grad():
        for _ in range(5):
            model(torch.randn(*shape) * 2 + 0.5)


def export(model, shape, path, training=torch.onnx.TrainingMode.EVAL):
    model.eval()
    x = torch.randn(*shape)
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      do_constant_folding=training == torch.onnx.TrainingMode.EVAL,
                      training=training)
    onnx.checker.check_model(onnx.load(path))
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(26)
    export(Mlp(), (2, 1, 8, 8), os.path.join(out, "torch_mlp.onnx"))
    export(ConvPadStride(), (2, 2, 11, 11), os.path.join(out, "torch_conv_pad_stride.onnx"))
    export(AvgPoolNet(), (2, 3, 12, 12), os.path.join(out, "torch_avgpool.onnx"))
    resnet = TinyResNet()
    warm_up(resnet, (8, 3, 8, 8))
    export(resnet, (2, 3, 8, 8), os.path.join(out, "torch_tiny_resnet.onnx"), torch.onnx.TrainingMode.PRESERVE)
    export(GeluBlock(), (2, 2, 5, 5), os.path.join(out, "torch_gelu_block.onnx"))


if __name__ == "__main__":
    main()
