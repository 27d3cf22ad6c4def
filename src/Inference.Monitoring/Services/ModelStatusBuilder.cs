using System.Globalization;
using Inference.Serving.Auditing;
using Inference.Serving.Catalog;

namespace Inference.Monitoring.Services;

/// <summary>A served model's <see cref="ModelStatus"/>: its files' facts, its queue now, and its recent calls.</summary>
public static class ModelStatusBuilder
{
    internal static ModelStatus Build(ServedModel model, IReadOnlyList<InferenceCall> calls, DateTimeOffset now, MonitoringOptions options, BackpressureOptions backpressure, int downAfter)
    {
        var mine = calls.Where(c => c.Model == model.Id).ToList();
        var lastMinute = mine.Where(c => c.Timestamp + c.Latency >= now - TimeSpan.FromMinutes(1)).ToList();
        var statistics = CallStatistics.Of(mine, options.Window);
        var minute = CallStatistics.Of(lastMinute, TimeSpan.FromMinutes(1));
        var load = Inference.Serving.Local.ModelReadiness.Of(model, backpressure);
        return new ModelStatus
        {
            Name = model.Id,
            Kind = ModelKindNames.Of(model.Kind),
            Provider = model.Provider,
            Status = IsDown(mine, downAfter) ? ModelStatus.Offline : ModelStatus.Online,
            Capabilities = Capabilities(model),
            Info = new ModelInfo
            {
                Architecture = model.Architecture,
                Format = model.Format,
                ParameterCount = model.ParameterCount is { } count ? FormatCount(count) : null,
                Parameters = model.ParameterCount,
                Quantization = model.Quantization,
                ContextSize = model.ContextLength,
                EmbeddingSize = model.Dimensions ?? model.EmbeddingLength,
                ChatTemplate = model.ChatTemplate,
            },
            Queue = load.QueueMetrics,
            Backpressure = load.BackpressureStatus,
            RequestsTotal = model.RequestCount?.Invoke(),
            Activity = new ModelActivity
            {
                Requests = statistics.Requests,
                Errors = statistics.Errors,
                RequestsPerMinute = minute.Requests,
                OutputTokensPerSecond = Math.Round(minute.OutputTokensPerSecond, 2),
                LatencyP50Ms = statistics.LatencyP50?.TotalMilliseconds,
                LatencyP95Ms = statistics.LatencyP95?.TotalMilliseconds,
                LastRequest = mine.Count == 0 ? null : mine[^1].Timestamp,
            },
        };
    }

    /// <summary>Down: its last <paramref name="downAfter"/> calls (cancelled ones aside) all failed.</summary>
    internal static bool IsDown(IReadOnlyList<InferenceCall> calls, int downAfter)
    {
        var finished = calls.Where(c => c.Status != InferenceCall.Cancelled).TakeLast(downAfter).ToList();
        return downAfter > 0 && finished.Count == downAfter && finished.All(c => c.Status == InferenceCall.Failed);
    }

    /// <summary>135M, 4.0B, as monitors write parameter counts.</summary>
    public static string FormatCount(long count) => count switch
    {
        >= 1_000_000_000 => (count / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (count / 1e6).ToString(count >= 10_000_000 ? "0" : "0.0", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (count / 1e3).ToString("0", CultureInfo.InvariantCulture) + "K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>What a model can do, by the monitor's names (text-generation, chat, tools, reasoning...; embeddings; text-classification).</summary>
    public static IReadOnlyList<string> Capabilities(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Kind == ModelKind.Chat ? ChatCapabilities(model.Constraints, model.Description.Reasoning is not null) : ModelCapabilities.Of(model).Tasks;
    }

    /// <summary>What a chat model can do, by the monitor's names: grammar-constrained where its provider enforces grammars.</summary>
    /// <param name="reasoning">The model reasons, as its template says (think tags, Harmony's analysis channel).</param>
    private static List<string> ChatCapabilities(OutputConstraints constraints, bool reasoning)
    {
        List<string> capabilities = ["text-generation", "chat"];
        if (constraints.HasFlag(OutputConstraints.JsonSchema))
        {
            capabilities.Add("json-schema");
        }

        if (constraints.HasFlag(OutputConstraints.Tools))
        {
            capabilities.Add("tools");
        }

        if (constraints.HasFlag(OutputConstraints.Grammar))
        {
            capabilities.Add("grammar-constrained");
        }

        if (reasoning)
        {
            capabilities.Add("reasoning");
        }

        return capabilities;
    }
}
