using Inference.Serving.Catalog;
using Inference.Serving.Remote;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class RemoteModelsExtensions
{
    /// <summary>Serves the models configured under <c>Inference:Remote</c> through their providers.</summary>
    public static IHostApplicationBuilder AddRemoteModels(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RemoteModelsOptions>().BindConfiguration("Inference");
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.AddHttpClient();
        builder.Services.TryAddSingleton<RemoteModelFactory>();
        builder.Services.AddHostedService<RemoteModelRegistrar>();
        return builder;
    }
}
