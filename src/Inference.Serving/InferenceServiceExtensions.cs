using Inference.Onnx.Models;

namespace Microsoft.Extensions.Hosting;

public static class InferenceServiceExtensions
{
    /// <summary>The OpenAI- and Ollama-compatible APIs over remote models and local models of the given kinds (all when none are given).</summary>
    public static IHostApplicationBuilder AddInferenceServing(this IHostApplicationBuilder builder, params LocalModelKind[] kinds) =>
        builder.AddOpenAIApi().AddResponseCache().AddRemoteModels().AddLocalModels(kinds);
}
