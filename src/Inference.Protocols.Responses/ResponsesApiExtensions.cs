using Inference.Http;
using Inference.Protocols.Responses;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class ResponsesApiExtensions
{
    /// <summary>The services behind <c>MapResponsesApi</c>: stored responses in the metadata database, and the wire format.</summary>
    public static IHostApplicationBuilder AddResponsesApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddInferenceStorage();
        WireFormats.Add(ResponsesJsonContext.Default);
        builder.Services.TryAddSingleton<ResponseStore>();
        return builder;
    }
}
