using Inference.Http;
using Inference.Protocols.Anthropic;

namespace Microsoft.Extensions.Hosting;

public static class AnthropicApiExtensions
{
    /// <summary>The services behind <c>MapAnthropicApi</c>: its wire format, for the API's documentation.</summary>
    public static IHostApplicationBuilder AddAnthropicApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WireFormats.Add(AnthropicJsonContext.Default);
        return builder;
    }
}
