#!/usr/bin/python3
"""PyTorch fixtures for ganglion's model zoo (test/models/*.test.ts).

Run with the system interpreter that has torch (CI has no Python; the outputs are committed):

    /usr/bin/python3 tools/goldens/make_zoo_goldens.py

torchvision is not installed on this machine, so the architectures below are written in plain
torch.nn, mirroring torchvision 0.14's module names and registration order (AlexNet, VGG, ResNet with
BasicBlock/Bottleneck, GoogLeNet with BasicConv2d/Inception/InceptionAux): their state-dict keys are
torchvision's. The parameter counts are checked against torchvision's documented figures (asserts
below), which checks the mirrors. Writes to test/fixtures/zoo/:

  keys.json       per model: parameter count, and the ordered named_parameters() and named_buffers()
                  as "name shape" strings (e.g. "layer1.0.conv1.weight 64x64x3x3"). No weights.
  <name>.safetensors      state dict of a SMALL model with random weights and non-trivial BatchNorm
                          statistics (ResNet-20 CIFAR option A at width 0.25; GoogLeNet at width
                          1/16), keys as PyTorch names them.
  <name>_io.safetensors   a fixed input `x` and the eval-mode output `y` of that model.

Deterministic: seeded, one thread; running it twice gives byte-identical files.
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_models import write_safetensors  # noqa: E402  (the hand-written safetensors writer)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "zoo")
torch.set_num_threads(1)


def scaled(c, width):
    """JS Math.round semantics (half up), as ganglion's `scaled`; Python's round() is half-even."""
    return max(1, int(math.floor(c * width + 0.5)))


# ---------------------------------------------------------------- LeNet-5 and AlexNet (Sequentials)
def lenet5(classes=10, in_ch=1, image=28):
    pad = 2 if image == 28 else 0
    s5 = ((image + 2 * pad - 4) // 2 - 4) // 2 - 4
    return nn.Sequential(
        nn.Conv2d(in_ch, 6, 5, padding=pad), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(),
        nn.Flatten(), nn.Linear(120 * s5 * s5, 84), nn.Tanh(), nn.Linear(84, classes))


class AlexNet(nn.Module):
    def __init__(self, classes=1000, cifar=False):
        super().__init__()
        k1, s1, p1, pooled, hidden = (5, 1, 2, 3, 1024) if cifar else (11, 4, 2, 6, 4096)
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, k1, stride=s1, padding=p1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((pooled, pooled))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(256 * pooled * pooled, hidden), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, classes))


VGG_CFGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    def __init__(self, depth, bn, classes=1000):
        super().__init__()
        layers, c = [], 3
        for v in VGG_CFGS[depth]:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
                continue
            layers.append(nn.Conv2d(c, v, 3, padding=1))
            if bn:
                layers.append(nn.BatchNorm2d(v))
            layers.append(nn.ReLU(inplace=True))
            c = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(4096, classes))


# ---------------------------------------------------------------- ResNet
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = self.downsample(x) if self.downsample is not None else x
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = self.downsample(x) if self.downsample is not None else x
        return self.relu(out + identity)


class ZeroPadShortcut(nn.Module):
    """He et al. 2016 option A: subsample by `stride`, zero-pad the new channels (half before, half after)."""

    def __init__(self, stride, extra):
        super().__init__()
        self.stride, self.before, self.after = stride, extra // 2, extra - extra // 2

    def forward(self, x):
        return F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.before, self.after))


class ResNet(nn.Module):
    def __init__(self, block, layers, classes=1000, cifar=False, shortcut="B", width=1.0, in_ch=3):
        super().__init__()
        planes_list = [scaled(c, width) for c in ([16, 32, 64] if cifar else [64, 128, 256, 512])]
        self.inplanes = planes_list[0]
        if cifar:
            self.conv1 = nn.Conv2d(in_ch, self.inplanes, 3, 1, 1, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_ch, self.inplanes, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        if not cifar:
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.cifar = cifar
        for i, (n, planes) in enumerate(zip(layers, planes_list)):
            setattr(self, f"layer{i + 1}", self._make_layer(block, planes, n, 1 if i == 0 else 2, shortcut))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(self.inplanes, classes)

    def _make_layer(self, block, planes, blocks, stride, shortcut):
        out = planes * block.expansion
        downsample = None
        if stride != 1 or self.inplanes != out:
            if shortcut == "B":
                downsample = nn.Sequential(nn.Conv2d(self.inplanes, out, 1, stride, bias=False), nn.BatchNorm2d(out))
            else:
                downsample = ZeroPadShortcut(stride, out - self.inplanes)
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = out
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        if not self.cifar:
            x = self.maxpool(x)
        x = self.layer3(self.layer2(self.layer1(x)))
        if hasattr(self, "layer4"):
            x = self.layer4(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ---------------------------------------------------------------- GoogLeNet
class BasicConv2d(nn.Module):
    def __init__(self, i, o, **kw):
        super().__init__()
        self.conv = nn.Conv2d(i, o, bias=False, **kw)
        self.bn = nn.BatchNorm2d(o, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    def __init__(self, i, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(i, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(i, ch3x3red, kernel_size=1), BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1))
        # NOTE: torchvision's "5x5" branch has a 3x3 kernel (kept for its pretrained weights).
        self.branch3 = nn.Sequential(BasicConv2d(i, ch5x5red, kernel_size=1), BasicConv2d(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True), BasicConv2d(i, pool_proj, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    def __init__(self, i, classes):
        super().__init__()
        self.conv = BasicConv2d(i, 128, kernel_size=1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, classes)
        self.dropout = nn.Dropout(0.7)


GOOGLENET_PLAN = [
    ("inception3a", [64, 96, 128, 16, 32, 32]), ("inception3b", [128, 128, 192, 32, 96, 64]), "maxpool3",
    ("inception4a", [192, 96, 208, 16, 48, 64]), ("inception4b", [160, 112, 224, 24, 64, 64]),
    ("inception4c", [128, 128, 256, 24, 64, 64]), ("inception4d", [112, 144, 288, 32, 64, 64]),
    ("inception4e", [256, 160, 320, 32, 128, 128]), "maxpool4",
    ("inception5a", [256, 160, 320, 32, 128, 128]), ("inception5b", [384, 192, 384, 48, 128, 128]),
]


class GoogLeNet(nn.Module):
    def __init__(self, classes=1000, aux_logits=False, width=1.0):
        super().__init__()
        s = lambda c: scaled(c, width)  # noqa: E731
        self.conv1 = BasicConv2d(3, s(64), kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(s(64), s(64), kernel_size=1)
        self.conv3 = BasicConv2d(s(64), s(192), kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        c, self.order, outs = s(192), [], {}
        for step in GOOGLENET_PLAN:
            if step == "maxpool3":
                self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            elif step == "maxpool4":
                self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
            else:
                name, ch = step
                ch = [s(v) for v in ch]
                setattr(self, name, Inception(c, *ch))
                c = ch[0] + ch[2] + ch[4] + ch[5]
                outs[name] = c
            self.order.append(step if isinstance(step, str) else step[0])
        if aux_logits:
            self.aux1 = InceptionAux(outs["inception4a"], classes)
            self.aux2 = InceptionAux(outs["inception4d"], classes)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        for name in ["conv1", "maxpool1", "conv2", "conv3", "maxpool2"] + self.order:
            x = getattr(self, name)(x)
        return self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))


# ---------------------------------------------------------------- fixtures
BIG = {
    # name: (builder, torchvision's documented parameter count or None)
    "alexnet": (lambda: AlexNet(), 61100840),
    "alexnet_cifar": (lambda: AlexNet(10, cifar=True), None),
    "vgg11": (lambda: VGG(11, False), 132863336), "vgg13": (lambda: VGG(13, False), 133047848),
    "vgg16": (lambda: VGG(16, False), 138357544), "vgg19": (lambda: VGG(19, False), 143667240),
    "vgg11_bn": (lambda: VGG(11, True), 132868840), "vgg13_bn": (lambda: VGG(13, True), 133053736),
    "vgg16_bn": (lambda: VGG(16, True), 138365992), "vgg19_bn": (lambda: VGG(19, True), 143678248),
    "resnet18": (lambda: ResNet(BasicBlock, [2, 2, 2, 2]), 11689512),
    "resnet34": (lambda: ResNet(BasicBlock, [3, 4, 6, 3]), 21797672),
    "resnet50": (lambda: ResNet(Bottleneck, [3, 4, 6, 3]), 25557032),
    "resnet20": (lambda: ResNet(BasicBlock, [3] * 3, 10, cifar=True, shortcut="A"), None),
    "resnet32": (lambda: ResNet(BasicBlock, [5] * 3, 10, cifar=True, shortcut="A"), None),
    "resnet56": (lambda: ResNet(BasicBlock, [9] * 3, 10, cifar=True, shortcut="A"), None),
    "resnet20_b": (lambda: ResNet(BasicBlock, [3] * 3, 10, cifar=True, shortcut="B"), None),
    "googlenet": (lambda: GoogLeNet(), 6624904),
    "googlenet_aux": (lambda: GoogLeNet(aux_logits=True), 13004888),
    "lenet5": (lambda: lenet5(), None),
}


def shape_str(t):
    return "x".join(str(d) for d in t.shape) if t.dim() else "scalar"


def make_keys():
    out = {}
    for name, (build, expected) in BIG.items():
        m = build()
        count = sum(p.numel() for p in m.parameters())
        if expected is not None:
            assert count == expected, f"{name}: mirror has {count} parameters, torchvision {expected}"
        out[name] = {
            "params": count,
            "parameters": [f"{k} {shape_str(p)}" for k, p in m.named_parameters()],
            "buffers": [f"{k} {shape_str(b)}" for k, b in m.named_buffers()],
        }
        del m
    with open(os.path.join(OUT_DIR, "keys.json"), "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in out.items()) + "\n}\n")
    return out


def randomize(model, seed):
    """Random weights and BatchNorm statistics, so the golden checks every tensor's placement."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(1 + 0.2 * torch.randn(n, generator=g))
                m.bias.copy_(0.2 * torch.randn(n, generator=g))
                m.running_mean.copy_(0.3 * torch.randn(n, generator=g))
                m.running_var.copy_(0.5 + torch.rand(n, generator=g))
                m.num_batches_tracked.fill_(7)
    return g


def make_golden(name, model, x_shape, seed):
    g = randomize(model, seed)
    model.eval()
    write_safetensors(os.path.join(OUT_DIR, f"{name}.safetensors"), dict(model.state_dict()), {"format": "pt"})
    x = torch.randn(x_shape, generator=g)
    with torch.no_grad():
        y = model(x)
    write_safetensors(os.path.join(OUT_DIR, f"{name}_io.safetensors"), {"x": x, "y": y}, {"format": "pt"})


if __name__ == "__main__":
    os.makedirs(OUT_DIR, exist_ok=True)
    keys = make_keys()
    make_golden("resnet20_w025", ResNet(BasicBlock, [3] * 3, 10, cifar=True, shortcut="A", width=0.25), (2, 3, 16, 16), 1)
    # NOTE: 40x40 makes three of the ceil-mode pools round up (20 -> 10, 10 -> 5, 5 -> 2 would floor to 9, 4, 2).
    make_golden("googlenet_w0625", GoogLeNet(10, width=1 / 16), (2, 3, 40, 40), 2)
    for k, v in keys.items():
        print(f"{k:14s} {v['params']:>12,d} params, {len(v['parameters'])} parameter and {len(v['buffers'])} buffer keys")
    print("wrote", ", ".join(sorted(os.listdir(OUT_DIR))))
