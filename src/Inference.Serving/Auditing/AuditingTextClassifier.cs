using Inference.Engines.Classification;

namespace Inference.Serving.Auditing;

/// <summary>Records every classification call (input tokens, latency, outcome, cache hit) in the audit log and the metrics.</summary>
internal sealed class AuditingTextClassifier(ITextClassifier inner, IInferenceAuditLog log, TimeProvider time, string model, string provider)
    : DelegatingTextClassifier(inner)
{
    public override async Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var recorder = new InferenceCallRecorder(log, time, model, provider, "classify");
        try
        {
            var response = await base.ClassifyAsync(inputs, options, cancellationToken);
            recorder.FromCache(response.AdditionalProperties);
            recorder.Succeeded(response.Usage?.InputTokenCount, outputTokens: null);
            return response;
        }
        catch (Exception ex)
        {
            recorder.Failed(ex);
            throw;
        }
    }
}
