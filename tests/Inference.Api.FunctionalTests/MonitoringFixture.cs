namespace Inference.Api.FunctionalTests;

/// <summary>
/// The Api as its own process (metrics are process-wide, so it must not share one with other hosts) with a chat, a
/// GGUF and an embedding model, sampled every 200 ms, and a remote model whose Worker is gone (a closed port), so that
/// the alerts about failing models and services have something to find. Thresholds are lowered so that a few calls
/// are enough.
/// </summary>
public sealed class MonitoringFixture : IAsyncLifetime
{
    public const string Chat = InferenceApiFixture.Chat;
    public const string Gguf = "wordnet-chat-1m-gguf";
    public const string Embedding = InferenceApiFixture.Embedding;
    public const string Ghost = "ghost";
    public const int QueueLimit = 16;

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-").FullName;

    public static readonly int GhostPort = ServiceProcess.FreePort();

    public ServiceProcess Api { get; private set; } = null!;

    public HttpClient CreateClient() => new() { BaseAddress = Api.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    public async Task InitializeAsync() => Api = await ServiceProcess.StartAsync("Inference.Api", new Dictionary<string, string>
    {
        ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
        [$"Inference__Models__{Chat}__Path"] = Chat,
        [$"Inference__Models__{Gguf}__Path"] = Gguf,
        [$"Inference__Models__{Embedding}__Path"] = Embedding,
        ["Inference__Engine__MaxQueuedRequests"] = QueueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Inference__Remote__{Ghost}__Provider"] = "worker",
        [$"Inference__Remote__{Ghost}__ConnectionString"] = $"Endpoint=http://127.0.0.1:{GhostPort};Model=x",
        ["Inference__Metadata__SqlitePath"] = Path.Combine(_data, "metadata.db"),
        ["Inference__Metadata__Audit__SpillDirectory"] = Path.Combine(_data, "spill"),
        ["Inference__Monitoring__SampleInterval"] = "00:00:00.2",
        ["Inference__Monitoring__ServiceTimeout"] = "00:00:01",
        ["Inference__Alerts__MinimumCalls"] = "2",
        ["Inference__Alerts__ModelDownAfter"] = "2",
        // Ordinary calls here take far less; a tiny threshold makes the latency alert observable.
        ["Inference__Alerts__LatencyP95"] = "00:00:00.000001",
        ["Inference__Monitoring__Window"] = "00:10:00",
    });

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
