namespace Inference.Onnx;

/// <summary>How local ONNX models are loaded and run.</summary>
public sealed class OnnxEngineOptions
{
    public const string SectionName = "Inference:Engine";

    /// <summary>Which ONNX file of a model folder to load: auto, fp32, fp16, int8, uint8, q4, q4f16.</summary>
    public string Precision { get; set; } = "auto";

    /// <summary>Threads ONNX Runtime uses inside one operator; 0 means one per logical core.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Chat requests one model decodes together, every step one forward pass for all of them (for graphs that take an
    /// attention mask and position ids with a free batch dimension, as optimum's exports do); the rest wait in its
    /// queue. 1 runs one request at a time, under <see cref="MaxConcurrentRequests"/>.
    /// </summary>
    public int ChatBatchSize { get; set; } = 8;

    /// <summary>Chat requests that run at once on one model that does not batch them (<see cref="ChatBatchSize"/> 1, or a graph that cannot); the rest wait in its queue.</summary>
    public int MaxConcurrentRequests { get; set; } = 1;

    /// <summary>Requests that may wait for one model before new ones are refused as busy.</summary>
    public int MaxQueuedRequests { get; set; } = 64;

    /// <summary>Inputs embedded in one ONNX run, from one request or several waiting at once (like a batching server's MAX_BATCH_SIZE).</summary>
    public int EmbeddingBatchSize { get; set; } = 32;

    /// <summary>
    /// How long a batch of embeddings waits for more requests when it is not full, while the model is under concurrent
    /// load (like a batching server's BATCH_TIMEOUT_MS). Zero, the default, runs at once whatever is waiting: requests that arrive while
    /// a batch runs form the next, which fills batches under load, and a window is a full wait whenever every client is
    /// already in the batch (measured: 8 clients of the static model fell from ~23,000 to ~2,000 sentences/s at 2 ms).
    /// </summary>
    public TimeSpan EmbeddingBatchTimeout { get; set; } = TimeSpan.Zero;
}
