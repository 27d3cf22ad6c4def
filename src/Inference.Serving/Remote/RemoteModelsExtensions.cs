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

        // The providers' calls are retried, timed and broken per request by the routing layer (one attempt budget over a
        // model and its fallbacks, a breaker per endpoint); the standard handler's retries would multiply attempts and
        // delay every fallback, and its timeouts would cut long generations.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked for evaluation; it is the documented way to opt one client out.
        builder.Services.AddHttpClient(RemoteModelFactory.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.TryAddSingleton<RemoteModelFactory>();
        builder.Services.TryAddSingleton<WorkerReplicaSets>();
        builder.Services.TryAddSingleton<WorkerReplicaClient>();
        builder.Services.AddHostedService<RemoteModelRegistrar>();
        return builder;
    }
}
