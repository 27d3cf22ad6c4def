using Inference.Monitoring.Services;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Microsoft.Extensions.Options;

namespace Inference.Transports.Nats;

/// <summary>This replica on NATS: its name, and its models' status as health replies and heartbeats give it.</summary>
internal sealed class NatsReplica(IOptions<NatsOptions> options, IOptions<BackpressureOptions> backpressure, Inference.Serving.InferenceService inference, TimeProvider time)
{
    /// <summary>The replica's name: configured, else the host's and the process's (a subject token: no dots).</summary>
    public string Name { get; } = (options.Value.Replica is { Length: > 0 } name ? name : $"{Environment.MachineName}-{Environment.ProcessId}")
        .Replace('.', '-').Replace(' ', '-').Replace('*', '-').Replace('>', '-');

    public NatsModelStatus Status(ServedModel model, string status)
    {
        var load = ModelReadiness.Of(model, backpressure.Value);
        var subject = model.Kind == ModelKind.Embedding ? NatsSubjects.Embedding(model.Id) : NatsSubjects.Inference(model.Id);
        return new NatsModelStatus
        {
            ModelName = model.Id,
            Status = status,
            Replica = Name,
            Capabilities = ModelStatusBuilder.Capabilities(model),
            NatsTopic = subject,
            ReplicaTopic = NatsSubjects.Replica(subject, Name),
            Version = inference.Versioned(model.Id),
            ModelInfo = new NatsModelInfo(
                model.Architecture,
                model.Format,
                model.ParameterCount is { } count ? ModelStatusBuilder.FormatCount(count) : null,
                model.ParameterCount,
                model.ContextLength,
                model.Dimensions ?? model.EmbeddingLength,
                model.Quantization),
            QueueMetrics = load.QueueMetrics,
            BackpressureStatus = load.BackpressureStatus,
            RequestsTotal = model.RequestCount?.Invoke(),
            Timestamp = time.GetUtcNow(),
        };
    }

    /// <summary>The model's load now, as <c>monitoring.inference.MODEL</c> reports it.</summary>
    public NatsLoadReport Load(ServedModel model)
    {
        var load = ModelReadiness.Of(model, backpressure.Value);
        var queue = load.QueueMetrics;
        return new NatsLoadReport(
            model.Id,
            Name,
            queue?.Pending ?? load.QueueDepth,
            queue?.Active ?? 0,
            time.GetUtcNow(),
            queue?.MaxSequences ?? 1,
            queue?.Capacity ?? 0,
            load.BackpressureStatus?.Utilization ?? 0,
            load.BackpressureStatus?.Level ?? Backpressure.Healthy);
    }
}
