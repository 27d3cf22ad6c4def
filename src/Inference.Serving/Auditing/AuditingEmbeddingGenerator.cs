using Microsoft.Extensions.AI;

namespace Inference.Serving.Auditing;

/// <summary>Records every embeddings call (input tokens, latency, outcome) in the audit log.</summary>
internal sealed class AuditingEmbeddingGenerator(
    IEmbeddingGenerator<string, Embedding<float>> inner, IInferenceAuditLog log, TimeProvider time, string model, string provider)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var recorder = new InferenceCallRecorder(log, time, model, provider, "embeddings");
        try
        {
            var embeddings = await base.GenerateAsync(values, options, cancellationToken);
            recorder.FromCache(embeddings.AdditionalProperties);
            recorder.Succeeded(embeddings.Usage?.InputTokenCount, outputTokens: null);
            return embeddings;
        }
        catch (Exception ex)
        {
            recorder.Failed(ex);
            throw;
        }
    }
}
