#!/usr/bin/env python3
"""Makes small random-weight Llama-shaped models with the vocabulary, tokenizer and chat template of a real model
(../shared/models/qwen3-tokenizer, gpt-oss-tokenizer, gemma3-tokenizer), as an optimum ONNX folder (with the shared
make-synthetic-llama.py) and the same weights as a GGUF whose tokenizer metadata and tokenizer.chat_template are the
real model's (byte-level BPE: tokens, merges and the pre-tokenizer llama.cpp knows the family by), in llama.cpp's qwen3
architectures for Qwen 3 and Gemma 3 (their norms of weight 1), a Llama for GPT-OSS.

Usage: /usr/bin/python3 make-real-vocab-models.py SHARED_MODELS_DIR SHARED_TOOLS_DIR OUT_DIR NAME [NAME...]
  NAME: qwen3, gpt-oss or gemma3. Writes OUT_DIR/NAME-2l-random (ONNX) and, but for gemma3,
  OUT_DIR/NAME-2l-random-gguf/NAME.F32.gguf.
"""
import importlib.util, json, os, shutil, struct, subprocess, sys

import numpy as np

FAMILIES = {
    # llama.cpp's pre-tokenizer names for these vocabularies (its llama-vocab.cpp).
    'qwen3': {'folder': 'qwen3-tokenizer', 'pre': 'qwen2', 'vocab_size': 151936, 'arch': 'qwen3'},
    'gpt-oss': {'folder': 'gpt-oss-tokenizer', 'pre': 'gpt-4o', 'vocab_size': 201088},
    # SentencePiece: the GGUF carries llama.cpp's SPM metadata (scores and byte tokens), in the gemma3 architecture.
    'gemma3': {'folder': 'gemma3-tokenizer', 'pre': None, 'vocab_size': 262208, 'arch': 'gemma3'},
}


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config(family, tokenizer_dir):
    tc = json.load(open(os.path.join(tokenizer_dir, 'tokenizer_config.json'), encoding='utf-8'))
    added = {t['content']: t['id'] for t in json.load(open(os.path.join(tokenizer_dir, 'tokenizer.json'), encoding='utf-8'))['added_tokens']}

    def token_id(name):
        value = tc.get(name)
        value = value.get('content') if isinstance(value, dict) else value
        return added.get(value) if value else None

    eos = token_id('eos_token')
    return {
        '_name_or_path': f'{family} vocabulary on a 2-layer Llama (synthetic random weights)',
        'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'attention_bias': False, 'attention_dropout': 0.0,
        'hidden_act': 'silu', 'hidden_size': 64, 'intermediate_size': 128, 'initializer_range': 0.05,
        'max_position_embeddings': 4096, 'mlp_bias': False, 'num_attention_heads': 4, 'num_hidden_layers': 2,
        'num_key_value_heads': 2, 'rms_norm_eps': 1e-06, 'rope_scaling': None, 'rope_theta': 10000.0,
        'tie_word_embeddings': True, 'vocab_size': FAMILIES[family]['vocab_size'], 'bos_token_id': token_id('bos_token') or eos,
        'eos_token_id': eos, 'pad_token_id': token_id('pad_token') or eos, 'use_cache': True,
    }


def weights(tools, model_dir):
    """The shared GGUF writer, and the ONNX model's config, dimensions and weights drawn again from its seed."""
    writer = load(os.path.join(tools, 'synthetic-llama-to-gguf.py'), 'synthetic_llama_to_gguf')
    gen = writer.load_generator()
    cfg = json.load(open(os.path.join(model_dir, 'config.json')))
    return writer, cfg, gen.dims(cfg), gen.synthetic_weights(cfg, cfg['synthetic_seed'])


def gguf(tools, model_dir, out, family, tokenizer_dir):
    writer, cfg, d, w = weights(tools, model_dir)
    f32 = writer.GGML_F32
    # llama.cpp's own architecture where the family has one here: qwen3 (NEOX RoPE, so Q and K rows as Hugging Face
    # has them, and per-head RMS norms of Q and K, here of weight 1); else a Llama (Q and K permuted for its RoPE).
    arch = FAMILIES[family].get('arch', 'llama')
    neox = arch == 'qwen3'
    tensors = [('token_embd.weight', w['model.embed_tokens.weight'], f32)]
    for l in range(d['layers']):
        p = f'model.layers.{l}.'
        q = w[p + 'self_attn.q_proj.weight']
        k = w[p + 'self_attn.k_proj.weight']
        if neox:
            tensors += [
                (f'blk.{l}.attn_q_norm.weight', np.ones(d['head_dim'], dtype=np.float32), f32),
                (f'blk.{l}.attn_k_norm.weight', np.ones(d['head_dim'], dtype=np.float32), f32),
            ]
        tensors += [
            (f'blk.{l}.attn_norm.weight', w[p + 'input_layernorm.weight'], f32),
            (f'blk.{l}.attn_q.weight', q if neox else writer.permute(q, d['heads'], d['heads']), f32),
            (f'blk.{l}.attn_k.weight', k if neox else writer.permute(k, d['heads'], d['kv']), f32),
            (f'blk.{l}.attn_v.weight', w[p + 'self_attn.v_proj.weight'], f32),
            (f'blk.{l}.attn_output.weight', w[p + 'self_attn.o_proj.weight'], f32),
            (f'blk.{l}.ffn_norm.weight', w[p + 'post_attention_layernorm.weight'], f32),
            (f'blk.{l}.ffn_gate.weight', w[p + 'mlp.gate_proj.weight'], f32),
            (f'blk.{l}.ffn_up.weight', w[p + 'mlp.up_proj.weight'], f32),
            (f'blk.{l}.ffn_down.weight', w[p + 'mlp.down_proj.weight'], f32),
        ]
    tensors.append(('output_norm.weight', w['model.norm.weight'], f32))

    tj = json.load(open(os.path.join(tokenizer_dir, 'tokenizer.json'), encoding='utf-8'))
    tokens = [None] * d['vocab']
    types = [1] * d['vocab']  # 1 normal, 3 control, 4 user defined, 5 unused
    for t, i in tj['model']['vocab'].items():
        tokens[i] = t
    for at in tj['added_tokens']:
        tokens[at['id']] = at['content']
        types[at['id']] = 3 if at.get('special') else 4
    for i, t in enumerate(tokens):
        if t is None:
            tokens[i], types[i] = f'[PAD{i}]', 5
    merges = [' '.join(m) if isinstance(m, list) else m for m in tj['model']['merges']]
    template_file = os.path.join(tokenizer_dir, 'chat_template.jinja')
    tc = json.load(open(os.path.join(tokenizer_dir, 'tokenizer_config.json'), encoding='utf-8'))
    template = open(template_file, encoding='utf-8').read() if os.path.exists(template_file) else tc['chat_template']
    STR, U32, F32, BOOL, ARR, I32 = writer.STR, writer.U32, writer.F32, writer.BOOL, writer.ARR, writer.I32
    kvs = [
        ('general.architecture', STR, arch), ('general.type', STR, 'model'), ('general.name', STR, family + '-2l-random'),
        ('general.file_type', U32, 0), ('general.alignment', U32, writer.ALIGN),
        (f'{arch}.vocab_size', U32, d['vocab']), (f'{arch}.context_length', U32, int(cfg['max_position_embeddings'])),
        (f'{arch}.embedding_length', U32, d['hidden']), (f'{arch}.block_count', U32, d['layers']),
        (f'{arch}.feed_forward_length', U32, d['inter']), (f'{arch}.rope.dimension_count', U32, d['head_dim']),
        (f'{arch}.attention.head_count', U32, d['heads']), (f'{arch}.attention.head_count_kv', U32, d['kv']),
        (f'{arch}.attention.key_length', U32, d['head_dim']), (f'{arch}.attention.value_length', U32, d['head_dim']),
        (f'{arch}.rope.freq_base', F32, d['theta']), (f'{arch}.attention.layer_norm_rms_epsilon', F32, d['eps']),
        ('tokenizer.ggml.model', STR, 'gpt2'), ('tokenizer.ggml.pre', STR, FAMILIES[family]['pre']),
        ('tokenizer.ggml.tokens', ARR, (STR, tokens)), ('tokenizer.ggml.token_type', ARR, (I32, types)),
        ('tokenizer.ggml.merges', ARR, (STR, merges)),
        ('tokenizer.ggml.bos_token_id', U32, int(cfg['bos_token_id'])), ('tokenizer.ggml.eos_token_id', U32, int(cfg['eos_token_id'])),
        ('tokenizer.ggml.padding_token_id', U32, int(cfg['pad_token_id'])), ('tokenizer.ggml.add_bos_token', BOOL, False),
        ('tokenizer.chat_template', STR, template),
    ]
    write_gguf(writer, out, tensors, kvs)


def gemma3_gguf(tools, model_dir, out, tokenizer_dir):
    """llama.cpp's gemma3 architecture (norms of weight 1: Hugging Face's Gemma norms are 1 + w, written as llama.cpp
    reads them) with the SentencePiece tokenizer llama.cpp runs for Gemma: pieces, scores (each piece's merge rank,
    negated: the lower the rank, the sooner it merges), token types (control, user-defined, byte), no space prefix."""
    writer, cfg, d, w = weights(tools, model_dir)
    f32 = writer.GGML_F32
    ones = lambda n: np.ones(n, dtype=np.float32)
    tensors = [('token_embd.weight', w['model.embed_tokens.weight'], f32)]
    for l in range(d['layers']):
        p = f'model.layers.{l}.'
        tensors += [
            (f'blk.{l}.attn_norm.weight', ones(d['hidden']), f32),
            (f'blk.{l}.attn_q.weight', w[p + 'self_attn.q_proj.weight'], f32),
            (f'blk.{l}.attn_k.weight', w[p + 'self_attn.k_proj.weight'], f32),
            (f'blk.{l}.attn_v.weight', w[p + 'self_attn.v_proj.weight'], f32),
            (f'blk.{l}.attn_output.weight', w[p + 'self_attn.o_proj.weight'], f32),
            (f'blk.{l}.attn_q_norm.weight', ones(d['head_dim']), f32),
            (f'blk.{l}.attn_k_norm.weight', ones(d['head_dim']), f32),
            (f'blk.{l}.post_attention_norm.weight', ones(d['hidden']), f32),
            (f'blk.{l}.ffn_norm.weight', ones(d['hidden']), f32),
            (f'blk.{l}.ffn_gate.weight', w[p + 'mlp.gate_proj.weight'], f32),
            (f'blk.{l}.ffn_up.weight', w[p + 'mlp.up_proj.weight'], f32),
            (f'blk.{l}.ffn_down.weight', w[p + 'mlp.down_proj.weight'], f32),
            (f'blk.{l}.post_ffw_norm.weight', ones(d['hidden']), f32),
        ]
    tensors.append(('output_norm.weight', ones(d['hidden']), f32))

    tj = json.load(open(os.path.join(tokenizer_dir, 'tokenizer.json'), encoding='utf-8'))
    vocab = tj['model']['vocab']
    tokens = [None] * d['vocab']
    scores = [0.0] * d['vocab']
    types = [1] * d['vocab']  # 1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte
    for t, i in vocab.items():
        tokens[i] = t
        if len(t) == 6 and t.startswith('<0x') and t.endswith('>'):
            types[i] = 6
    rank = {}
    for r, m in enumerate(tj['model']['merges']):
        merged = ''.join(m) if isinstance(m, list) else m.replace(' ', '', 1)
        rank.setdefault(merged, r)
    for t, i in vocab.items():
        if t in rank:
            scores[i] = -float(rank[t] + 1)
    for at in tj['added_tokens']:
        tokens[at['id']] = at['content']
        types[at['id']] = 3 if at.get('special') else 4
    unk = vocab.get(tj['model'].get('unk_token') or '<unk>', 3)
    types[unk] = 2
    for i, t in enumerate(tokens):
        if t is None:
            tokens[i], types[i] = f'[PAD{i}]', 5
    tc = json.load(open(os.path.join(tokenizer_dir, 'tokenizer_config.json'), encoding='utf-8'))
    STR, U32, F32, BOOL, ARR, I32 = writer.STR, writer.U32, writer.F32, writer.BOOL, writer.ARR, writer.I32
    arch = 'gemma3'
    kvs = [
        ('general.architecture', STR, arch), ('general.type', STR, 'model'), ('general.name', STR, 'gemma3-2l-random'),
        ('general.file_type', U32, 0), ('general.alignment', U32, writer.ALIGN),
        (f'{arch}.context_length', U32, int(cfg['max_position_embeddings'])), (f'{arch}.embedding_length', U32, d['hidden']),
        (f'{arch}.block_count', U32, d['layers']), (f'{arch}.feed_forward_length', U32, d['inter']),
        (f'{arch}.attention.head_count', U32, d['heads']), (f'{arch}.attention.head_count_kv', U32, d['kv']),
        (f'{arch}.attention.key_length', U32, d['head_dim']), (f'{arch}.attention.value_length', U32, d['head_dim']),
        (f'{arch}.attention.layer_norm_rms_epsilon', F32, d['eps']), (f'{arch}.rope.freq_base', F32, d['theta']),
        (f'{arch}.attention.sliding_window', U32, 512),
        ('tokenizer.ggml.model', STR, 'llama'), ('tokenizer.ggml.pre', STR, 'default'),
        ('tokenizer.ggml.tokens', ARR, (STR, tokens)), ('tokenizer.ggml.scores', ARR, (F32, scores)),
        ('tokenizer.ggml.token_type', ARR, (I32, types)),
        ('tokenizer.ggml.bos_token_id', U32, int(cfg['bos_token_id'])), ('tokenizer.ggml.eos_token_id', U32, int(cfg['eos_token_id'])),
        ('tokenizer.ggml.unknown_token_id', U32, int(unk)), ('tokenizer.ggml.padding_token_id', U32, int(cfg['pad_token_id'])),
        ('tokenizer.ggml.add_bos_token', BOOL, True), ('tokenizer.ggml.add_space_prefix', BOOL, False),
        ('tokenizer.chat_template', STR, tc['chat_template']),
    ]
    write_gguf(writer, out, tensors, kvs)


def write_gguf(writer, out, tensors, kvs):
    head = b'GGUF' + struct.pack('<IQQ', 3, len(tensors), len(kvs))
    for k, t, v in kvs:
        head += writer.s(k) + struct.pack('<I', t) + writer.kv_value(t, v)
    offsets, off = [], 0
    for name, arr, t in tensors:
        offsets.append(off)
        head += writer.s(name) + struct.pack('<I', arr.ndim) + struct.pack(f'<{arr.ndim}Q', *reversed(arr.shape)) + struct.pack('<IQ', t, off)
        off += (arr.nbytes + writer.ALIGN - 1) // writer.ALIGN * writer.ALIGN
    head += b'\0' * ((-len(head)) % writer.ALIGN)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + '.tmp', 'wb') as f:
        f.write(head)
        for (name, arr, t), o in zip(tensors, offsets):
            f.write(arr.astype('float32').tobytes())
            f.write(b'\0' * ((-arr.nbytes) % writer.ALIGN))
    os.replace(out + '.tmp', out)


def main():
    models, tools, out = sys.argv[1:4]
    for family in sys.argv[4:]:
        tokenizer_dir = os.path.join(models, FAMILIES[family]['folder'])
        onnx_dir = os.path.join(out, f'{family}-2l-random')
        cfg_path = os.path.join(out, f'{family}-config.json')
        os.makedirs(out, exist_ok=True)
        json.dump(config(family, tokenizer_dir), open(cfg_path, 'w'))
        subprocess.run([sys.executable, os.path.join(tools, 'make-synthetic-llama.py'), '--config', cfg_path,
                        '--tokenizer', tokenizer_dir, '--out', onnx_dir], check=True)
        template = os.path.join(tokenizer_dir, 'chat_template.jinja')
        if os.path.exists(template):
            shutil.copy(template, onnx_dir)
        target = os.path.join(out, f'{family}-2l-random-gguf', f'{family}.F32.gguf')
        if family == 'gemma3':
            gemma3_gguf(tools, onnx_dir, target, tokenizer_dir)
        else:
            gguf(tools, onnx_dir, target, family, tokenizer_dir)
        print(f'{family}: {onnx_dir}', flush=True)


if __name__ == '__main__':
    main()
