using System.Net.Http.Json;
using System.Text.Json;

namespace InferenceAspire.AppHost;

internal static class MonitoringResourceExtensions
{
    /// <summary>
    /// Links to the service's own live dashboard and Prometheus metrics on its resource page, a command that opens its
    /// dashboard, and one that shows its active alerts. A service that asks for keys gets <paramref name="key"/> with
    /// both (in the dashboard link's fragment, which never leaves the browser).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMonitoring(this IResourceBuilder<ProjectResource> builder, ParameterResource? key = null)
    {
        var endpoint = builder.GetEndpoint("http");
        return builder
            .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/dashboard", DisplayText = "Dashboard" })
            .WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/metrics", DisplayText = "Metrics", DisplayLocation = UrlDisplayLocation.DetailsOnly })
            .WithCommand("open-dashboard", "Open dashboard", async context => CommandResults.Success(
                    $"The dashboard of {builder.Resource.Name}",
                    $"[Open the live dashboard of {builder.Resource.Name}]({endpoint.Url}/dashboard{(key is null ? "" : "#key=" + Uri.EscapeDataString(await key.GetValueAsync(context.CancellationToken) ?? ""))})",
                    CommandResultFormat.Markdown, displayImmediately: true),
                new CommandOptions { IconName = "Gauge", Description = "The service's own live dashboard: its models, queues, throughput and alerts.", UpdateState = Running })
            .WithCommand("active-alerts", "Active alerts", async context =>
                {
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                    if (key is not null)
                    {
                        http.DefaultRequestHeaders.Add("x-api-key", await key.GetValueAsync(context.CancellationToken));
                    }

                    try
                    {
                        var alerts = await http.GetFromJsonAsync<JsonElement>($"{endpoint.Url}/alerts/active", context.CancellationToken);
                        var count = alerts.GetProperty("alerts").GetArrayLength();
                        return CommandResults.Success(count == 0 ? "No active alerts." : $"{count} active alert(s).",
                            JsonSerializer.Serialize(alerts, new JsonSerializerOptions { WriteIndented = true }), CommandResultFormat.Json, displayImmediately: count > 0);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
                    {
                        return CommandResults.Failure($"{builder.Resource.Name} did not answer: {ex.Message}");
                    }
                },
                new CommandOptions { IconName = "Alert", Description = "The alerts the service evaluates (GET /alerts/active).", UpdateState = Running });
    }

    /// <summary>Prompt and response text in the service's GenAI spans only when the telemetry-content parameter says so.</summary>
    public static IResourceBuilder<ProjectResource> WithTelemetryContent(this IResourceBuilder<ProjectResource> builder, PlatformSettings settings) =>
        settings.TelemetryContent ? builder.WithEnvironment("Inference__Telemetry__IncludeContent", "true") : builder;

    private static ResourceCommandState Running(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
}
