using Inference.Lifecycle;
using Inference.Lifecycle.Downloads;
using Inference.Lifecycle.Experiments;
using Inference.Lifecycle.Grammars;
using Inference.Lifecycle.Registry;
using Inference.Serving;
using Inference.Serving.Catalog;
using Inference.Serving.Grammars;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class LifecycleExtensions
{
    /// <summary>
    /// The model lifecycle over the metadata database (<see cref="StorageExtensions.AddInferenceStorage"/>): the registry
    /// of models and versions, prices, deployments, A/B tests, downloads and the grammar library; the routing table each
    /// replica reads from it; and readiness that waits for every registered version to be served.
    /// </summary>
    public static IHostApplicationBuilder AddModelLifecycle(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(ModelLifecycle)))
        {
            return builder; // added already, by a module that needs it
        }

        builder.AddInferenceStorage();
        builder.Services.AddSingleton<ModelRegistry>();
        builder.Services.AddSingleton<IModelVersions>(sp => sp.GetRequiredService<ModelRegistry>());
        builder.Services.AddSingleton<IGrammarLibrary, GrammarLibrary>();
        builder.Services.AddOptions<ModelPricingOptions>().Configure<IConfiguration>((o, c) =>
        {
            foreach (var model in c.GetSection(ModelPricingOptions.SectionName).GetChildren())
            {
                o.Models[model.Key] = model.Get<ModelPrice>() ?? new();
            }
        });
        builder.Services.AddSingleton<ModelPrices>();
        builder.Services.AddSingleton<ModelLifecycle>();
        builder.Services.AddSingleton<DeploymentManager>();
        builder.Services.AddSingleton<RollingQueue>();
        builder.Services.AddOptions<DeploymentOptions>()
            .BindConfiguration(DeploymentOptions.SectionName)
            .Validate(o => o.ReplicaTimeout > TimeSpan.Zero && o.ResumeInterval > TimeSpan.Zero, "Inference:Deployments:ReplicaTimeout and ResumeInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AbTestManager>();
        builder.Services.AddHostedService<RegistryInitializer>();
        builder.Services.AddHostedService<LifecycleRefresher>();
        builder.Services.AddHostedService<RollingDeployments>();
        builder.Services.AddOptions<HubOptions>()
            .BindConfiguration(HubOptions.SectionName)
            .PostConfigure(o =>
            {
                if (builder.Configuration["HF_ENDPOINT"] is { Length: > 0 } endpoint && builder.Configuration[$"{HubOptions.SectionName}:Endpoint"] is null)
                {
                    o.Endpoint = new Uri(endpoint);
                }

                o.Token ??= builder.Configuration["HF_TOKEN"];
                o.Endpoint = o.Endpoint.AbsoluteUri.EndsWith('/') ? o.Endpoint : new Uri(o.Endpoint.AbsoluteUri + "/");
            })
            .Validate(o => o.Endpoint.IsAbsoluteUri, "Inference:Hub:Endpoint must be an absolute URL.")
            .Validate(o => o.MaxRetries >= 0, "Inference:Hub:MaxRetries must not be negative.")
            .ValidateOnStart();
#pragma warning disable EXTEXP0001 // downloads resume by themselves; the standard handler's timeouts would cut large files
        builder.Services.AddHttpClient(HubClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<HubClient>();
        builder.Services.AddSingleton<ModelDownloads>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelDownloads>());
        builder.Services.AddHealthChecks().AddCheck<RegisteredVersionsHealthCheck>("registered-versions", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>
    /// The lifecycle's routes: the registry (<c>/api/models</c>, <c>/models</c>), versions, deployments and A/B tests,
    /// metrics from the audit log (<c>/api/metrics</c>), downloads and grammars.
    /// </summary>
    public static WebApplication MapModelLifecycle(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapModelRegistryApi();
        app.MapGrammarApi();
        app.MapLifecycleApi();
        app.MapModelMetricsApi();
        app.MapServiceMetricsApi();
        app.MapDownloadsApi();
        return app;
    }
}
