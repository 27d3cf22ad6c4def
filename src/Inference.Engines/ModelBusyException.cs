namespace Inference.Engines;

/// <summary>The model's queue is full; the caller should retry later (HTTP 429).</summary>
public sealed class ModelBusyException(string model, int queueLimit)
    : Exception($"Model '{model}' is busy: {queueLimit} requests are already waiting. Retry later.")
{
    public string Model { get; } = model;
}
