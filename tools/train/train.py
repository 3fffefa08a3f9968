#!/usr/bin/env python3
"""Trains ringlm's built-in model: a small Llama on the quotations of Debian's `fortunes` package.

Reads the fortune files (BSD licence, /usr/share/games/fortunes), holds back every 33rd quotation
as test text, trains a SentencePiece BPE vocabulary and a Llama-architecture transformer with
fixed seeds, and writes a llama2.c checkpoint and tokenizer. tools/train/build-model.sh turns them
into the GGUF file the CLI embeds, with ringlm's own convert and quantize.

Needs Debian's python3-torch and python3-sentencepiece (run it with /usr/bin/python3).
"""
import argparse
import math
import os
import random
import re
import struct
import time

import sentencepiece as spm
import torch
import torch.nn as nn
import torch.nn.functional as F

# Categories of the `fortunes` package used for training: quotations, sayings and verse. Left out:
# art and listings (ascii-art), in-jokes about people and places (ethnic, men-women, politics,
# drugs), and IRC/mailing-list logs (knghtbrd, linuxcookie, perl, zippy, translate-me).
CATEGORIES = [
    "cookie", "computers", "definitions", "education", "food", "fortunes", "goedel", "humorists", "kids",
    "law", "linux", "literature", "love", "magic", "medicine", "miscellaneous", "paradoxum", "people",
    "pets", "platitudes", "riddles", "science", "songs-poems", "sports", "startrek", "tao", "wisdom", "work",
]
HOLD_OUT_EVERY = 33


def read_quotes(folder):
    quotes = []
    for name in CATEGORIES:
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            for q in f.read().split("\n%\n"):
                q = q.strip("\n%").rstrip()
                if 8 <= len(q) <= 1200:
                    quotes.append(q)
    return quotes


def write_llama2c_tokenizer(sp, path):
    """llama2.c's tokenizer.bin: max piece length, then per id: score (f32), length, bytes."""
    pieces = []
    for i in range(sp.get_piece_size()):
        t = sp.id_to_piece(i)
        if i == sp.bos_id():
            t = "\n<s>\n"
        elif i == sp.eos_id():
            t = "\n</s>\n"
        pieces.append((t.replace("\u2581", " ").encode("utf-8"), sp.get_score(i)))
    with open(path, "wb") as f:
        f.write(struct.pack("<i", max(len(b) for b, _ in pieces)))
        for b, score in pieces:
            f.write(struct.pack("<fi", score, len(b)))
            f.write(b)


class Block(nn.Module):
    def __init__(self, dim, n_heads, n_kv_heads, hidden):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = n_heads, n_kv_heads, dim // n_heads
        self.wq = nn.Linear(dim, n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(n_heads * self.head_dim, dim, bias=False)
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)
        self.attention_norm = nn.Parameter(torch.ones(dim))
        self.ffn_norm = nn.Parameter(torch.ones(dim))


def rmsnorm(x, w, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, cos, sin):
    """Rotates adjacent pairs (x[2i], x[2i+1]) as llama2.c and ringlm's llama2.c loader do."""
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1)
    return out.flatten(-2)


class Llama(nn.Module):
    def __init__(self, vocab, dim, n_layers, n_heads, n_kv_heads, hidden, seq_len):
        super().__init__()
        self.dim, self.n_heads, self.seq_len = dim, n_heads, seq_len
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(Block(dim, n_heads, n_kv_heads, hidden) for _ in range(n_layers))
        self.norm = nn.Parameter(torch.ones(dim))
        head_dim = dim // n_heads
        freqs = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2).float() / head_dim))
        angles = torch.outer(torch.arange(seq_len).float(), freqs)
        self.register_buffer("cos", torch.cos(angles), persistent=False)
        self.register_buffer("sin", torch.sin(angles), persistent=False)
        self.register_buffer("mask", torch.tril(torch.ones(seq_len, seq_len)).view(1, 1, seq_len, seq_len),
                             persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * n_layers) if name.endswith(("wo.weight", "w2.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, tokens):
        b, t = tokens.shape
        x = self.tok_embeddings(tokens)
        cos, sin = self.cos[:t], self.sin[:t]
        for l in self.layers:
            h = rmsnorm(x, l.attention_norm)
            q = l.wq(h).view(b, t, l.n_heads, l.head_dim)
            k = l.wk(h).view(b, t, l.n_kv_heads, l.head_dim)
            v = l.wv(h).view(b, t, l.n_kv_heads, l.head_dim)
            q, k = rope(q, cos[:, None, :], sin[:, None, :]), rope(k, cos[:, None, :], sin[:, None, :])
            rep = l.n_heads // l.n_kv_heads
            k, v = k.repeat_interleave(rep, dim=2), v.repeat_interleave(rep, dim=2)
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(l.head_dim)
            scores = scores.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
            a = F.softmax(scores, dim=-1) @ v
            x = x + l.wo(a.transpose(1, 2).reshape(b, t, -1))
            h = rmsnorm(x, l.ffn_norm)
            x = x + l.w2(F.silu(l.w1(h)) * l.w3(h))
        return rmsnorm(x, self.norm) @ self.tok_embeddings.weight.t()  # tied classifier


def write_llama2c_checkpoint(model, args, vocab, path):
    """llama2.c's version-0 checkpoint: 7 int32 (dim, hidden, layers, heads, kv heads, vocab, seq)
    then f32 tensors in order; a positive vocab means the classifier is the embedding."""
    def out(f, t):
        f.write(t.detach().float().contiguous().numpy().astype("<f4").tobytes())

    with open(path, "wb") as f:
        f.write(struct.pack("<7i", args.dim, args.hidden, args.layers, args.heads, args.kv_heads, vocab, args.seq_len))
        out(f, model.tok_embeddings.weight)
        for name in ["attention_norm"]:
            for l in model.layers:
                out(f, getattr(l, name))
        for name in ["wq", "wk", "wv", "wo"]:
            for l in model.layers:
                out(f, getattr(l, name).weight)
        for l in model.layers:
            out(f, l.ffn_norm)
        for name in ["w1", "w2", "w3"]:
            for l in model.layers:
                out(f, getattr(l, name).weight)
        out(f, model.norm)
        out(f, model.cos)  # the rope tables llama2.c kept (ringlm computes its own)
        out(f, model.sin)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fortunes", default="/usr/share/games/fortunes")
    p.add_argument("--out", default="build-train")
    p.add_argument("--vocab", type=int, default=512)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--hidden", type=int, default=384)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=800, help="length of the learning-rate schedule")
    p.add_argument("--stop-after", type=int, default=642, help="steps actually run (the built-in model: 642)")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--minutes", type=float, default=60.0, help="stop earlier when training takes this long")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--seed", type=int, default=1337)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    quotes = read_quotes(args.fortunes)
    random.Random(args.seed).shuffle(quotes)
    held = [q for i, q in enumerate(quotes) if i % HOLD_OUT_EVERY == 0]
    train = [q for i, q in enumerate(quotes) if i % HOLD_OUT_EVERY != 0]
    with open(os.path.join(args.out, "train.txt"), "w", encoding="utf-8") as f:
        f.write("\n\n".join(train) + "\n")
    # SentencePiece's default normalizer collapses runs of spaces; ringlm's tokenizer, like
    # llama.cpp's, keeps every space. The test text is written with single spaces so that both
    # tokenize it alike and the perplexities compare the forward passes, not the normalizers.
    held_text = "\n".join(re.sub(" +", " ", line).strip(" ") for line in "\n\n".join(held).split("\n"))
    with open(os.path.join(args.out, "heldout.txt"), "w", encoding="utf-8") as f:
        f.write(held_text + "\n")
    print(f"{len(quotes)} quotations: {len(train)} to train on, {len(held)} held back")

    prefix = os.path.join(args.out, "tok")
    spm.SentencePieceTrainer.train(
        input=os.path.join(args.out, "train.txt"), model_prefix=prefix, model_type="bpe", vocab_size=args.vocab,
        self_test_sample_size=0, input_format="text", character_coverage=1.0, num_threads=args.threads,
        split_digits=True, allow_whitespace_only_pieces=True, byte_fallback=True, unk_surface=" \u2047 ",
        normalization_rule_name="identity", max_sentence_length=8192, minloglevel=2)
    sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
    write_llama2c_tokenizer(sp, os.path.join(args.out, "tokenizer.bin"))

    ids = []
    for q in train:
        ids.append(sp.bos_id())
        ids.extend(sp.encode(q))
    data = torch.tensor(ids, dtype=torch.long)
    print(f"{len(ids)} training tokens, vocabulary {sp.get_piece_size()}")

    model = Llama(args.vocab, args.dim, args.layers, args.heads, args.kv_heads, args.hidden, args.seq_len)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params} parameters")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    warmup = 100
    for step in range(min(args.steps, args.stop_after)):
        lr = args.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.randint(0, len(data) - args.seq_len - 1, (args.batch,), generator=gen)
        x = torch.stack([data[s:s + args.seq_len] for s in starts])
        y = torch.stack([data[s + 1:s + 1 + args.seq_len] for s in starts])
        loss = F.cross_entropy(model(x).view(-1, args.vocab), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        elapsed = time.time() - start
        if step % 50 == 0 or step == min(args.steps, args.stop_after) - 1:
            print(f"step {step:5d}  loss {loss.item():.3f}  lr {lr:.2e}  {elapsed / 60:.1f} min", flush=True)
        if elapsed > args.minutes * 60:
            print(f"stopping at step {step}: the {args.minutes}-minute budget is used")
            break
    write_llama2c_checkpoint(model, args, args.vocab, os.path.join(args.out, "model.bin"))
    print(f"wrote {args.out}/model.bin and {args.out}/tokenizer.bin")


if __name__ == "__main__":
    main()
