namespace Inference.Onnx.Tokenization;

public enum TokenizerFamily
{
    /// <summary>SentencePiece BPE/unigram with byte fallback (Llama, Mistral, Gemma...): pieces use '▁' for spaces.</summary>
    SentencePiece,

    /// <summary>SentencePiece-style BPE with byte fallback read from tokenizer.json alone (Gemma 3): pieces use '▁' for spaces.</summary>
    SentencePieceBpe,

    /// <summary>Byte-level BPE (GPT-2, Qwen, SmolLM, Llama-3...).</summary>
    ByteLevelBpe,

    /// <summary>BERT WordPiece (encoders: MiniLM, bge, gte, e5).</summary>
    WordPiece,
}
