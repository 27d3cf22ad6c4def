using Inference.Jobs;
using Inference.Jobs.Batches;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class JobsExtensions
{
    /// <summary>
    /// Asynchronous inference jobs and OpenAI's Batch API over the metadata database (its queue), run by every replica
    /// (the platform's inference requests and the OpenAI routes' bodies), told to webhooks.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceJobs(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(InferenceJobs)))
        {
            return builder; // added already, by a module that needs it
        }

        builder.AddModelLifecycle().AddPlatformApi().AddOpenAIApi();
        builder.Services.AddOptions<JobOptions>()
            .BindConfiguration(JobOptions.SectionName)
            .Validate(o => o.Concurrency >= 1 && o.MaxItems >= 1 && o.MaxAttempts >= 1, "Inference:Jobs:Concurrency, MaxItems and MaxAttempts must be at least 1.")
            .Validate(o => o.ClaimTimeout > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero, "Inference:Jobs:ClaimTimeout and PollInterval must be positive.")
            .Validate(o => o.DatabasePollInterval > TimeSpan.Zero, "Inference:Jobs:DatabasePollInterval must be positive.")
            .Validate(o => o.Queue is "redis" or "nats" or "database", "Inference:Jobs:Queue must be redis, nats or database.")
            .Validate(o => o.Queue != "nats" || !string.IsNullOrEmpty(builder.Configuration.GetConnectionString("nats")),
                "Inference:Jobs:Queue is nats, but ConnectionStrings:nats (nats://host:port) is not set.")
            .Validate(o => o.WebhookMaxAttempts >= 1 && o.WebhookRetryDelay > TimeSpan.Zero && o.WebhookTimeout > TimeSpan.Zero, "Inference:Jobs:WebhookMaxAttempts must be at least 1, WebhookRetryDelay and WebhookTimeout positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IJobQueue>(services => services.GetRequiredService<IOptions<JobOptions>>().Value.Queue switch
        {
            "nats" => ActivatorUtilities.CreateInstance<NatsJobQueue>(services),
            _ => ActivatorUtilities.CreateInstance<RedisJobQueue>(services),
        });
        builder.Services.AddSingleton<InferenceJobs>();
        builder.Services.AddSingleton<OpenAIBatches>();
        builder.Services.AddHostedService<JobProcessor>();
        builder.Services.AddHostedService<JobWebhooks>();
#pragma warning disable EXTEXP0001 // a webhook is retried by JobWebhooks, with its own timeout and backoff
        builder.Services.AddHttpClient(JobWebhooks.HttpClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>The jobs' routes (<c>/api/inference/batch</c>, <c>/api/inference/jobs/{id}</c>) and OpenAI's files and batches (<c>/v1/files</c>, <c>/v1/batches</c>).</summary>
    public static WebApplication MapInferenceJobs(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapJobsApi();
        app.MapOpenAIBatchApi();
        return app;
    }
}
