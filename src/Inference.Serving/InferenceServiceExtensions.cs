using Inference.Onnx.Models;

namespace Microsoft.Extensions.Hosting;

public static class InferenceServiceExtensions
{
    /// <summary>The OpenAI-compatible API over local models of the given kinds (all kinds when none are given).</summary>
    public static IHostApplicationBuilder AddInferenceServing(this IHostApplicationBuilder builder, params LocalModelKind[] kinds) =>
        builder.AddOpenAIApi().AddLocalModels(kinds);
}
