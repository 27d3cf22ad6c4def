using System.Diagnostics;
using Inference.Engines.Classification;

namespace Inference.Serving.Classification;

/// <summary>
/// A span per classification call (<c>classify {model}</c>), with the GenAI conventions' model, provider and input
/// token attributes, as MEAI's OpenTelemetry clients give chat and embedding calls.
/// </summary>
internal sealed class TelemetryTextClassifier(ITextClassifier inner, string modelId, string provider) : DelegatingTextClassifier(inner)
{
    public const string SourceName = "Inference.Classification";

    private static readonly ActivitySource Source = new(SourceName);

    public override async Task<TextClassificationResponse> ClassifyAsync(
        IReadOnlyList<string> inputs, TextClassificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var activity = Source.StartActivity($"classify {modelId}", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "classify");
        activity?.SetTag("gen_ai.request.model", modelId);
        activity?.SetTag("gen_ai.provider.name", provider);
        activity?.SetTag("inference.classify.inputs", inputs.Count);
        try
        {
            var response = await base.ClassifyAsync(inputs, options, cancellationToken);
            activity?.SetTag("gen_ai.response.model", response.ModelId);
            activity?.SetTag("gen_ai.usage.input_tokens", response.Usage?.InputTokenCount);
            return response;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag("error.type", ex.GetType().FullName);
            throw;
        }
    }
}
