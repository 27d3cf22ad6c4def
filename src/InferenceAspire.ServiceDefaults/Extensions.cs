using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every InferenceAspire service shares: OpenTelemetry (OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set),
/// health checks, service discovery and the standard resilience handler on every HttpClient.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";

    /// <summary>The same checks as <see cref="HealthEndpointPath"/>, under the name Kubernetes-style probes and llama.cpp-style workers use.</summary>
    public const string HealthzEndpointPath = "/healthz";
    public const string AlivenessEndpointPath = "/alive";
    public const string ReadinessEndpointPath = "/ready";

    /// <summary>Tag of checks that say the process is alive; /alive runs only these.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of checks that say the service can take traffic (models loaded); /ready runs only these.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Meters and activity sources of the platform and of Microsoft.Extensions.AI, exported by every service.</summary>
    public static readonly string[] TelemetrySources = ["Inference.*", "Experimental.Microsoft.Extensions.AI", "Microsoft.Extensions.AI"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetrySources)
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !IsHealthPath(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>/health runs every check, /alive the liveness checks, /ready the readiness checks (JSON with each check's data when asked for).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Open to probes when the service asks for credentials elsewhere.
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks(HealthzEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag), ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks(ReadinessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        return app;
    }

    private static bool IsHealthPath(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(HealthzEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath) || path.StartsWithSegments(ReadinessEndpointPath);
}
