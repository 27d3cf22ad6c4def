using Inference.Http;
using Inference.Protocols.OpenAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class OpenAIApiExtensions
{
    /// <summary>The services behind <c>MapOpenAIApi</c>, and the runner of OpenAI request bodies an OpenAI batch's lines go to.</summary>
    public static IHostApplicationBuilder AddOpenAIApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WireFormats.Add(OpenAIJsonContext.Default);
        builder.Services.TryAddSingleton<OpenAIRequestRunner>();
        return builder;
    }
}
