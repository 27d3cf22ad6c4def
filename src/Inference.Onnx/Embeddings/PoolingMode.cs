namespace Inference.Onnx.Embeddings;

public enum PoolingMode
{
    /// <summary>Average of the token vectors under the attention mask (all-MiniLM, gte, e5, Model2Vec).</summary>
    Mean,

    /// <summary>The first ([CLS]) token's vector (bge).</summary>
    Cls,

    /// <summary>The graph already outputs one pooled vector per input (<c>sentence_embedding</c>).</summary>
    Graph,
}
