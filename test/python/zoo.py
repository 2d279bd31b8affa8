"""The model zoo: small versions of the everyday PyTorch models a user brings.

Each entry builds a torch module, example inputs and labels, and names the
loss, so the torch frontend and the ONNX importer tests train exactly the
same models. Models are written as their authors would write them for
torch; nothing here is shaped for hetc. Keep them small: each must compile
and run ten steps in seconds.
"""
import math

import numpy as np
import torch
import torch.nn as tnn
import torch.nn.functional as F


class BasicBlock(tnn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = tnn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(c_out)
        self.conv2 = tnn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = tnn.Sequential(
                tnn.Conv2d(c_in, c_out, 1, stride, bias=False),
                tnn.BatchNorm2d(c_out))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


class ResNet(tnn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.stem = tnn.Sequential(tnn.Conv2d(3, 8, 3, 1, 1, bias=False),
                                   tnn.BatchNorm2d(8), tnn.ReLU())
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = BasicBlock(8, 16, stride=2)
        self.pool = tnn.AdaptiveAvgPool2d(1)
        self.fc = tnn.Linear(16, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class CausalSelfAttention(tnn.Module):
    """Hand-written attention with a causal mask buffer, as in nanoGPT."""

    def __init__(self, d, heads, seq):
        super().__init__()
        self.heads = heads
        self.qkv = tnn.Linear(d, 3 * d)
        self.proj = tnn.Linear(d, d)
        self.drop = tnn.Dropout(0.0)
        self.register_buffer(
            "mask", torch.tril(torch.ones(seq, seq)).view(1, 1, seq, seq))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q = q.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
        att = self.drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, d)
        return self.proj(y)


class GPTBlock(tnn.Module):
    def __init__(self, d, heads, seq, torch_attention):
        super().__init__()
        self.ln1 = tnn.LayerNorm(d)
        self.ln2 = tnn.LayerNorm(d)
        self.torch_attention = torch_attention
        if torch_attention:
            self.attn = tnn.MultiheadAttention(d, heads, batch_first=True)
            self.register_buffer(
                "causal", torch.triu(torch.full((seq, seq), float("-inf")),
                                     diagonal=1))
        else:
            self.attn = CausalSelfAttention(d, heads, seq)
        self.mlp = tnn.Sequential(tnn.Linear(d, 4 * d), tnn.GELU(),
                                  tnn.Linear(4 * d, d))

    def forward(self, x):
        h = self.ln1(x)
        if self.torch_attention:
            h, _ = self.attn(h, h, h, attn_mask=self.causal,
                             need_weights=False)
        else:
            h = self.attn(h)
        x = x + h
        return x + self.mlp(self.ln2(x))


class GPT(tnn.Module):
    def __init__(self, vocab=17, d=16, heads=2, seq=8, torch_attention=False):
        super().__init__()
        self.tok = tnn.Embedding(vocab, d)
        self.pos = tnn.Parameter(torch.randn(1, seq, d) * 0.02)
        self.blocks = tnn.Sequential(
            GPTBlock(d, heads, seq, torch_attention),
            GPTBlock(d, heads, seq, torch_attention))
        self.ln_f = tnn.LayerNorm(d)
        self.head = tnn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.tok(idx) + self.pos
        x = self.ln_f(self.blocks(x))
        logits = self.head(x)
        return logits.view(-1, logits.size(-1))


class RecurrentClassifier(tnn.Module):
    def __init__(self, cell, features=6, hidden=12, classes=4):
        super().__init__()
        rnn = tnn.LSTM if cell == "lstm" else tnn.GRU
        self.rnn = rnn(features, hidden, batch_first=True)
        self.fc = tnn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


class InvertedResidual(tnn.Module):
    def __init__(self, c, expand=2):
        super().__init__()
        h = c * expand
        self.block = tnn.Sequential(
            tnn.Conv2d(c, h, 1, bias=False), tnn.BatchNorm2d(h), tnn.ReLU6(),
            tnn.Conv2d(h, h, 3, 1, 1, groups=h, bias=False),
            tnn.BatchNorm2d(h), tnn.ReLU6(),
            tnn.Conv2d(h, c, 1, bias=False), tnn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.block(x)


class MobileNet(tnn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.stem = tnn.Sequential(tnn.Conv2d(3, 8, 3, 2, 1, bias=False),
                                   tnn.BatchNorm2d(8), tnn.ReLU6())
        self.block = InvertedResidual(8)
        self.head = tnn.Linear(8, classes)

    def forward(self, x):
        x = self.block(self.stem(x))
        return self.head(x.mean([2, 3]))


class AutoEncoder(tnn.Module):
    def __init__(self, upsample):
        super().__init__()
        self.encoder = tnn.Sequential(
            tnn.Conv2d(1, 4, 3, 2, 1), tnn.ReLU(),
            tnn.Conv2d(4, 8, 3, 2, 1), tnn.ReLU())
        if upsample:
            self.decoder = tnn.Sequential(
                tnn.Upsample(scale_factor=2, mode="nearest"),
                tnn.Conv2d(8, 4, 3, 1, 1), tnn.ReLU(),
                tnn.Upsample(scale_factor=2, mode="bilinear",
                             align_corners=False),
                tnn.Conv2d(4, 1, 3, 1, 1), tnn.Sigmoid())
        else:
            self.decoder = tnn.Sequential(
                tnn.ConvTranspose2d(8, 4, 3, 2, 1, output_padding=1),
                tnn.ReLU(),
                tnn.ConvTranspose2d(4, 1, 3, 2, 1, output_padding=1),
                tnn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class NormMLP(tnn.Module):
    def __init__(self, classes=5):
        super().__init__()
        self.net = tnn.Sequential(
            tnn.Linear(12, 32), tnn.LayerNorm(32), tnn.GELU(),
            tnn.Dropout(0.1), tnn.Linear(32, 32), tnn.LayerNorm(32),
            tnn.ReLU(), tnn.Dropout(0.1), tnn.Linear(32, classes))

    def forward(self, x):
        return self.net(x)


class TensorOps(tnn.Module):
    """Everyday tensor manipulation: views, permutes, cat/split, reductions,
    elementwise math, clamps, comparisons and where, indexing, a frozen
    parameter and a normalization buffer."""

    def __init__(self, classes=3):
        super().__init__()
        self.a = tnn.Linear(8, 16)
        self.b = tnn.Linear(8, 16)
        self.frozen = tnn.Linear(16, 16)
        self.frozen.requires_grad_(False)
        self.out = tnn.Linear(16, classes)
        self.register_buffer("scale", torch.linspace(0.5, 1.5, 16))

    def forward(self, x):
        n = x.shape[0]
        left, right = x.chunk(2, dim=1)                    # 2 x [n, 4]
        x = torch.cat([right, left], dim=1)
        h = torch.tanh(self.a(x)) * torch.sigmoid(self.b(x))
        h = h.view(n, 4, 4).permute(0, 2, 1).reshape(n, 16)
        h = h * self.scale
        h = torch.where(h > 0, h, 0.1 * h)
        h = h.clamp(-2.0, 2.0) + h.abs().sqrt() * 0.1
        h = h - h.mean(dim=1, keepdim=True)
        h = h / (h.pow(2).sum(dim=1, keepdim=True) + 1.0).sqrt()
        h = self.frozen(h).unsqueeze(1).squeeze(1)
        h = torch.exp(-h * h) + h[:, :16]
        return self.out(h)


def _classes(n, k, rng):
    return rng.integers(0, k, n).astype(np.int64)


class Entry:
    """A zoo model: `make()` builds the module; `batch(rng)` returns
    (inputs, labels) as numpy arrays; `loss` is "cross_entropy" or "mse"."""

    def __init__(self, name, make, batch, loss):
        self.name, self.make, self.batch, self.loss = name, make, batch, loss

    def torch_loss(self, output, labels):
        if self.loss == "cross_entropy":
            return F.cross_entropy(output, labels)
        return F.mse_loss(output, labels)


def _images(shape, classes):
    def batch(rng):
        x = rng.standard_normal(shape).astype(np.float32)
        return x, _classes(shape[0], classes, rng)
    return batch


def _tokens(n, seq, vocab):
    def batch(rng):
        idx = rng.integers(0, vocab, (n, seq)).astype(np.int64)
        return idx, rng.integers(0, vocab, n * seq).astype(np.int64)
    return batch


def _reconstruction(shape):
    def batch(rng):
        x = rng.random(shape).astype(np.float32)
        return x, x.copy()
    return batch


ZOO = [
    Entry("resnet", ResNet, _images((4, 3, 8, 8), 5), "cross_entropy"),
    Entry("gpt", lambda: GPT(torch_attention=False), _tokens(2, 8, 17),
          "cross_entropy"),
    Entry("gpt_mha", lambda: GPT(torch_attention=True), _tokens(2, 8, 17),
          "cross_entropy"),
    Entry("lstm", lambda: RecurrentClassifier("lstm"),
          _images((4, 5, 6), 4), "cross_entropy"),
    Entry("gru", lambda: RecurrentClassifier("gru"), _images((4, 5, 6), 4),
          "cross_entropy"),
    Entry("mobilenet", MobileNet, _images((4, 3, 8, 8), 5), "cross_entropy"),
    Entry("autoencoder_transposed", lambda: AutoEncoder(upsample=False),
          _reconstruction((2, 1, 8, 8)), "mse"),
    Entry("autoencoder_upsample", lambda: AutoEncoder(upsample=True),
          _reconstruction((2, 1, 8, 8)), "mse"),
    Entry("norm_mlp", NormMLP, _images((6, 12), 5), "cross_entropy"),
    Entry("tensor_ops", TensorOps, _images((5, 8), 3), "cross_entropy"),
]

BY_NAME = {e.name: e for e in ZOO}
