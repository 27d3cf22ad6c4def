namespace Inference.LlamaCpp;

/// <summary>How GGUF models are chosen, loaded and scheduled (<c>Inference:LlamaCpp</c>).</summary>
public sealed class LlamaCppEngineOptions
{
    public const string SectionName = "Inference:LlamaCpp";

    /// <summary>
    /// Which file of a folder of quantizations to load: file types as llama.cpp names them, most preferred first,
    /// separated by commas; files of other types come after these, by name. <c>Inference:Models:&lt;id&gt;:Path</c>
    /// may name a file instead.
    /// </summary>
    public string Quantization { get; set; } = "Q4_K_M,Q4_K_S,Q5_K_M,Q5_K_S,Q6_K,Q8_0,Q4_0,IQ4_XS,BF16,F16,F32";

    /// <summary>The preference as a list.</summary>
    public IReadOnlyList<string> QuantizationOrder => Quantization.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Requests decoded together in one batch; more wait in the queue.</summary>
    public int MaxSequences { get; set; } = 4;

    /// <summary>Tokens one request may hold (prompt plus completion); 0 means the model's training context, at most 4096.</summary>
    public int ContextLength { get; set; }

    /// <summary>Key/value cache cells shared by all requests and kept prefixes; 0 means ContextLength × (MaxSequences + 1).</summary>
    public int KvCacheSize { get; set; }

    /// <summary>Prompt tokens prefilled per decode step, so a long prompt does not stall the streams already decoding.</summary>
    public int StepTokenBudget { get; set; } = 256;

    /// <summary>CPU threads for decoding; 0 means one per logical core.</summary>
    public int Threads { get; set; }

    /// <summary>Layers offloaded to the GPU with a GPU backend; null means all when the backend can, none otherwise.</summary>
    public int? GpuLayers { get; set; }

    /// <summary>Requests that may wait for one model before new ones are refused as busy (HTTP 429).</summary>
    public int MaxQueuedRequests { get; set; } = 64;

    /// <summary>Keep finished requests' key/value cells and reuse them for prompts that start the same way.</summary>
    public bool PrefixCache { get; set; } = true;

    /// <summary>Finished sequences kept for prefix reuse at most (besides the cells they may use).</summary>
    public int PrefixCacheEntries { get; set; } = 16;

    /// <summary>A llama.cpp build of your own (the path of its libllama) instead of the backend package's.</summary>
    public string? NativeLibraryPath { get; set; }
}
