using Inference.Http;
using Inference.Protocols.Ollama;

namespace Microsoft.Extensions.Hosting;

public static class OllamaApiExtensions
{
    /// <summary>The services behind <c>MapOllamaApi</c>: its wire format, for the API's documentation.</summary>
    public static IHostApplicationBuilder AddOllamaApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WireFormats.Add(OllamaJsonContext.Default);
        return builder;
    }
}
