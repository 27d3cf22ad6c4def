#!/usr/bin/env python3
"""Makes a small random-weight cross-encoder (a Hugging Face BertForSequenceClassification with one output, as
cross-encoder/ms-marco-MiniLM-L-6-v2 is) with the vocabulary and tokenizer of ../shared/models/all-MiniLM-L6-v2-tokenizer,
exported to ONNX in optimum's layout (inputs input_ids, attention_mask, token_type_ids; output logits [batch, 1]), and a
reference.json of the logits PyTorch computes for query-document pairs, each encoded as [CLS] query [SEP] document [SEP]
with token types 0 then 1 (a long document cut to fit, as transformers' truncation="only_second" does).

Usage: /usr/bin/python3 make-cross-encoder.py TOKENIZER_DIR OUT_DIR [minilm]
  minilm: cross-encoder/ms-marco-MiniLM-L-6-v2's shape (6 layers, hidden 384, 512 positions), for speed figures;
  the default is a 2-layer model of hidden 64 and 64 positions, for tests.
"""
import json, math, os, shutil, sys, unicodedata

import numpy as np
import torch
import torch.nn as nn

H, LAYERS, HEADS, FFN, POSITIONS = (384, 6, 12, 1536, 512) if sys.argv[3:] == ['minilm'] else (64, 2, 4, 128, 64)
QUERY = 'a dog barking at night'
DOCUMENTS = ['the stock market fell', 'a puppy yapping loudly', 'tree bark is rough', 'cats sleep all day', 'Dogs bark; wolves howl!']
LONG = ' '.join(['the quick brown fox jumps over the lazy dog'] * 12)


def wordpiece(vocab, text):
    """BERT's basic tokenizer (lower case, accents stripped, split on whitespace and punctuation) and greedy WordPiece."""
    text = ''.join(c for c in unicodedata.normalize('NFD', text.lower()) if unicodedata.category(c) != 'Mn')
    words, word = [], ''
    for c in text:
        if c.isspace():
            words, word = words + ([word] if word else []), ''
        elif unicodedata.category(c).startswith('P') or (33 <= ord(c) <= 47 or 58 <= ord(c) <= 64 or 91 <= ord(c) <= 96 or 123 <= ord(c) <= 126):
            words, word = words + ([word] if word else []) + [c], ''
        else:
            word += c
    words += [word] if word else []
    ids = []
    for w in words:
        start, pieces = 0, []
        while start < len(w):
            end = len(w)
            while end > start and (('##' if start else '') + w[start:end]) not in vocab:
                end -= 1
            if end == start:
                pieces = [vocab['[UNK]']]
                break
            pieces.append(vocab[('##' if start else '') + w[start:end]])
            start = end
        ids += pieces
    return ids


def main():
    source, out = sys.argv[1], sys.argv[2]
    vocab = {line.rstrip('\n'): i for i, line in enumerate(open(os.path.join(source, 'vocab.txt'), encoding='utf-8'))}
    V = len(vocab)
    rng = np.random.Generator(np.random.PCG64(7))

    def tensor(*shape, std=0.2 if H == 64 else 0.05):
        return nn.Parameter(torch.from_numpy(rng.standard_normal(shape, dtype=np.float32) * np.float32(std)), requires_grad=False)

    def linear(i, o, std=0.2):
        m = nn.Linear(i, o)
        m.weight, m.bias = tensor(o, i, std=std), nn.Parameter(torch.zeros(o), requires_grad=False)
        return m

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.o = linear(H, H), linear(H, H), linear(H, H), linear(H, H)
            self.ln1, self.ln2 = nn.LayerNorm(H, eps=1e-12), nn.LayerNorm(H, eps=1e-12)
            self.fc1, self.fc2 = linear(H, FFN), linear(FFN, H)

        def forward(self, x, bias):
            b, s, _ = x.shape
            hs = H // HEADS
            q, k, v = (f(x).view(b, s, HEADS, hs).transpose(1, 2) for f in (self.q, self.k, self.v))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hs) + bias, -1)
            x = self.ln1(x + self.o((att @ v).transpose(1, 2).reshape(b, s, H)))
            return self.ln2(x + self.fc2(torch.nn.functional.gelu(self.fc1(x))))

    class CrossEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.word, self.pos, self.typ = tensor(V, H), tensor(POSITIONS, H), tensor(2, H)
            self.ln = nn.LayerNorm(H, eps=1e-12)
            self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))
            self.pooler, self.classifier = linear(H, H), linear(H, 1, std=1.0)

        def forward(self, input_ids, attention_mask, token_type_ids):
            s = input_ids.shape[1]
            x = self.ln(self.word[input_ids] + self.pos[:s][None] + self.typ[token_type_ids])
            bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
            for layer in self.layers:
                x = layer(x, bias)
            return self.classifier(torch.tanh(self.pooler(x[:, 0])))

    model = CrossEncoder().eval()
    os.makedirs(os.path.join(out, 'onnx'), exist_ok=True)
    example = torch.tensor([[101, 2054, 102, 2003, 102]])
    axes = {n: {0: 'batch_size', 1: 'sequence_length'} for n in ('input_ids', 'attention_mask', 'token_type_ids')}
    axes['logits'] = {0: 'batch_size'}
    with torch.no_grad():
        torch.onnx.export(model, (example, torch.ones_like(example), torch.zeros_like(example)), os.path.join(out, 'onnx', 'model.onnx'),
                          input_names=['input_ids', 'attention_mask', 'token_type_ids'], output_names=['logits'], dynamic_axes=axes, opset_version=14)

    config = {
        'architectures': ['BertForSequenceClassification'], 'model_type': 'bert', 'hidden_size': H, 'num_hidden_layers': LAYERS,
        'num_attention_heads': HEADS, 'intermediate_size': FFN, 'max_position_embeddings': POSITIONS, 'type_vocab_size': 2,
        'vocab_size': V, 'id2label': {'0': 'LABEL_0'}, 'label2id': {'LABEL_0': 0}, 'synthetic_weights': 'fp32 random (seed 7)',
    }
    json.dump(config, open(os.path.join(out, 'config.json'), 'w'), indent=2)
    for name in ('tokenizer.json', 'vocab.txt', 'special_tokens_map.json'):
        shutil.copy(os.path.join(source, name), out)
    tokenizer_config = json.load(open(os.path.join(source, 'tokenizer_config.json')))
    tokenizer_config['model_max_length'] = POSITIONS
    json.dump(tokenizer_config, open(os.path.join(out, 'tokenizer_config.json'), 'w'), indent=2)

    # The reference: each pair's logit, the long document cut to what fits beside the query.
    query = wordpiece(vocab, QUERY)
    pairs, truncated = [], []
    for document in DOCUMENTS + [LONG]:
        ids = wordpiece(vocab, document)
        room = POSITIONS - len(query) - 3
        truncated.append(len(ids) > room)
        pairs.append([101] + query + [102] + ids[:room] + [102])
    logits = []
    with torch.no_grad():
        for pair in pairs:
            ids = torch.tensor([pair])
            types = torch.tensor([[0] * (len(query) + 2) + [1] * (len(pair) - len(query) - 2)])
            logits.append(float(model(ids, torch.ones_like(ids), types)[0, 0]))
    json.dump({'query': QUERY, 'documents': DOCUMENTS, 'long_document': LONG, 'ids': pairs, 'truncated': truncated, 'logits': logits},
              open(os.path.join(out, 'reference.json'), 'w'), indent=2)
    print(f'wrote {out}: logits {[round(l, 4) for l in logits]}')


if __name__ == '__main__':
    main()
