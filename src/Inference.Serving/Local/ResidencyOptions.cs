namespace Inference.Serving.Local;

/// <summary>
/// Which local models stay loaded (<c>Inference:Residency</c>): how long an idle model stays (Ollama's keep_alive;
/// per model and per request too), and the memory the loaded models' weights may take together, beyond which the least
/// recently used idle model is unloaded before another loads. A model with requests running is never unloaded.
/// </summary>
public sealed class ResidencyOptions
{
    public const string SectionName = "Inference:Residency";

    /// <summary>"5m", "-1" (for ever: the default, models loaded at start stay), "0" (after each request).</summary>
    public string? KeepAlive { get; set; }

    /// <summary>Bytes of weights the loaded models may hold together; none by default.</summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>How long a load may wait for room (for running requests of the models it would evict) before it is refused (429).</summary>
    public TimeSpan MaxWaitForRoom { get; set; } = TimeSpan.FromSeconds(30);
}
