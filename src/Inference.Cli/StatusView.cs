using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Inference.Cli;

/// <summary>Every service and model of <c>/api/services</c> and the alerts of <c>/alerts/active</c>, as terminal tables.</summary>
internal static class StatusView
{
    public static async Task<IRenderable> LoadAsync(InferenceApiClient client, CancellationToken cancellationToken)
    {
        var services = await client.GetAsync("api/services", cancellationToken);
        var alerts = await client.GetAsync("alerts/active", cancellationToken);
        return Render(services, alerts, client.BaseAddress);
    }

    public static IRenderable Render(JsonElement services, JsonElement alerts, Uri baseAddress)
    {
        var serviceTable = new Table().Title($"InferenceAspire at {Markup.Escape(baseAddress.ToString())}")
            .AddColumns("service", "kind", "status", "uptime", "response", "health", "memory", "detail");
        var modelTable = new Table().Title("models")
            .AddColumns("model", "service", "status", "architecture", "params", "quant.", "queue", "backpressure", "req/min", "tok/s", "p50", "p95");
        foreach (var service in services.GetProperty("services").EnumerateArray())
        {
            var name = Text.Of(service, "name");
            serviceTable.AddRow(
                Markup.Escape(name), Markup.Escape(Text.Of(service, "kind")), Status(Text.Of(service, "status")),
                Uptime(service), Markup.Escape(Text.Milliseconds(service, "response_time_ms")),
                Markup.Escape(Text.Of(service, "health_score")), Markup.Escape(Text.Of(service, "memory_usage_percent")) + (service.TryGetProperty("memory_usage_percent", out var m) && m.ValueKind == JsonValueKind.Number ? "%" : ""),
                Markup.Escape(Text.Of(service, "detail")));
            foreach (var model in service.GetProperty("models").EnumerateArray())
            {
                var info = model.GetProperty("model_info");
                var queue = model.TryGetProperty("queue_metrics", out var q) && q.ValueKind == JsonValueKind.Object ? q : default;
                var pressure = model.TryGetProperty("backpressure_status", out var b) && b.ValueKind == JsonValueKind.Object ? b : default;
                var window = model.GetProperty("window");
                modelTable.AddRow(
                    Markup.Escape(Text.Of(model, "model_name")), Markup.Escape(name), Status(Text.Of(model, "status")),
                    Markup.Escape(Text.Of(info, "architecture")), Markup.Escape(Text.Of(info, "parameter_count")), Markup.Escape(Text.Of(info, "quantization")),
                    queue.ValueKind == JsonValueKind.Object ? $"{Text.Of(queue, "pending_messages")}/{Text.Of(queue, "queue_capacity")}" : Text.None,
                    pressure.ValueKind == JsonValueKind.Object ? Status(Text.Of(pressure, "level")) + $" {pressure.GetProperty("utilization").GetDouble() * 100:0}%" : Text.None,
                    Markup.Escape(Text.Of(window, "requests_per_minute")), Markup.Escape(Text.Of(window, "output_tokens_per_second")),
                    Markup.Escape(Text.Milliseconds(window, "latency_p50_ms")), Markup.Escape(Text.Milliseconds(window, "latency_p95_ms")));
            }
        }

        var alertRows = new Rows(alerts.GetProperty("alerts").EnumerateArray()
            .Select(a => (IRenderable)new Markup($"{(Text.Of(a, "severity") == "critical" ? "[red]critical[/]" : "[yellow]warning[/]")} [bold]{Markup.Escape(Text.Of(a, "name"))}[/] {Markup.Escape(Text.Of(a, "summary"))}"))
            .DefaultIfEmpty(new Markup("[green]no active alerts[/]")));
        return new Rows(serviceTable, modelTable, new Panel(alertRows).Header("alerts"));
    }

    private static string Status(string status) => status switch
    {
        "online" or "healthy" => $"[green]{status}[/]",
        "degraded" or "warning" or "unknown" => $"[yellow]{status}[/]",
        _ => $"[red]{Markup.Escape(status)}[/]",
    };

    private static string Uptime(JsonElement service) =>
        service.TryGetProperty("uptime_seconds", out var u) && u.ValueKind == JsonValueKind.Number
            ? TimeSpan.FromSeconds(Math.Floor(u.GetDouble())).ToString(u.GetDouble() >= 86400 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture)
            : Text.None;
}
