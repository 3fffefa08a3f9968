#!/usr/bin/env python3
"""The built-in model's reference outputs, from the PyTorch forward pass of train.py (not ringlm's):
for each prompt, BOS + the prompt's ids and the greedy continuation, one line each:
    prompt<TAB>ids of BOS + prompt<TAB>ids generated
and a last line with the perplexity of the held-back text, measured as llama.cpp and `ringlm
perplexity` measure it (BOS + the whole text's ids in chunks of CHUNK, each chunk's first id set to
BOS, the second half of each chunk scored):
    #perplexity<TAB>CHUNK<TAB>PPL
tests/e2e/builtin_model_test.cpp checks ringlm gets the same ids and perplexity from the GGUF file.
Usage: golden.py CHECKPOINT.bin TOKENIZER.model HELDOUT.txt OUT.tsv
"""
import struct
import sys

import numpy as np
import sentencepiece as spm
import torch

import train

PROMPTS = ["Once upon a time", "The best way to", "A computer is", "Love is"]


def load_checkpoint(path):
    raw = open(path, "rb").read()
    dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack("<7i", raw[:28])
    model = train.Llama(vocab, dim, layers, heads, kv_heads, hidden, seq_len)
    floats = np.frombuffer(raw[28:], dtype="<f4")
    offset = 0

    def take(t):
        nonlocal offset
        n = t.numel()
        t.data.copy_(torch.from_numpy(floats[offset:offset + n].copy()).view_as(t))
        offset += n

    take(model.tok_embeddings.weight)
    for l in model.layers:
        take(l.attention_norm)
    for name in ["wq", "wk", "wv", "wo"]:
        for l in model.layers:
            take(getattr(l, name).weight)
    for l in model.layers:
        take(l.ffn_norm)
    for name in ["w1", "w2", "w3"]:
        for l in model.layers:
            take(getattr(l, name).weight)
    take(model.norm)
    return model


def perplexity(model, ids, chunk):
    nll, count = 0.0, 0
    for c in range(len(ids) // chunk):
        seq = ids[c * chunk:(c + 1) * chunk]
        seq[0] = ids[0]
        logp = torch.log_softmax(model(torch.tensor([seq]))[0].double(), dim=-1)
        for j in range(chunk // 2, chunk - 1):
            nll -= float(logp[j, seq[j + 1]])
            count += 1
    return float(np.exp(nll / count))


def main():
    ckpt, tok, heldout, out = sys.argv[1:5]
    n, chunk = 48, 256
    model = load_checkpoint(ckpt)
    sp = spm.SentencePieceProcessor(model_file=tok)
    with open(out, "w", encoding="utf-8") as f, torch.no_grad():
        for prompt in PROMPTS:
            ids = [sp.bos_id()] + sp.encode(prompt)
            gen = []
            for _ in range(n):
                logits = model(torch.tensor([ids + gen]))[0, -1]
                nxt = int(logits.argmax())
                if nxt in (sp.bos_id(), sp.eos_id()):
                    break
                gen.append(nxt)
            f.write(f"{prompt}\t{' '.join(map(str, ids))}\t{' '.join(map(str, gen))}\n")
            print(f"{prompt!r} -> {sp.decode(gen)!r}")
        text = open(heldout, encoding="utf-8").read()
        ppl = perplexity(model, [sp.bos_id()] + sp.encode(text), chunk)
        f.write(f"#perplexity\t{chunk}\t{ppl:.6f}\n")
        print(f"held-back text: perplexity {ppl:.4f} (chunks of {chunk})")


if __name__ == "__main__":
    main()
