namespace Inference.Transports.Nats;

/// <summary>The subjects a model is served and reported on.</summary>
public static class NatsSubjects
{
    /// <summary>Completions of a chat model: request/reply, shared by the replicas' queue group.</summary>
    public static string Inference(string model) => $"inference.request.{model}";

    /// <summary>Embeddings of an embedding model: request/reply, shared by the replicas' queue group.</summary>
    public static string Embedding(string model) => $"embedding.request.{model}";

    /// <summary>One replica's own subject for a model's requests (<c>inference.request.MODEL.REPLICA</c>), outside the queue group.</summary>
    public static string Replica(string subject, string replica) => $"{subject}.{replica}";

    /// <summary>Where a requester that went away says so (<c>{"req_id": ...}</c>): every replica stops that request's generation.</summary>
    public const string Cancel = "inference.cancel";

    /// <summary>
    /// A replica's own routes (its control and health routes: <c>/admin/models</c>, <c>/ready</c>, <c>/v1/models</c>),
    /// carried to its HTTP server: what a rolling deployment calls on each replica.
    /// </summary>
    public static string ReplicaHttp(string replica) => $"workers.{replica}.http";

    /// <summary>Who serves the model: every replica answers with its name (no queue group), so that a gateway can address each.</summary>
    public static string Replicas(string model) => $"models.{model}.replicas";

    /// <summary>The model's status: request/reply.</summary>
    public static string Health(string model) => $"models.{model}.health";

    /// <summary>The model's status, published by each replica every heartbeat interval.</summary>
    public static string Heartbeat(string model) => $"models.{model}.heartbeat";

    /// <summary>The model's load (pending and active requests, backpressure), published every second under load.</summary>
    public static string Monitoring(string model) => $"monitoring.inference.{model}";

    /// <summary>Whether a model's name can end a subject: no spaces or wildcards (a dot only makes more tokens, as in nomic-embed-v1.5).</summary>
    public static bool CanName(string model) => model.Length > 0 && !model.StartsWith('.') && !model.EndsWith('.') && !model.Contains("..", StringComparison.Ordinal)
        && !model.Any(c => c is '*' or '>' || char.IsWhiteSpace(c));
}
