namespace Inference.Api.FunctionalTests;

/// <summary>
/// The distributed topology on loopback: real redis-server and PostgreSQL, the Worker (wordnet-chat-1m from ONNX and
/// from GGUF) and the Embeddings service (m2v and the domain classifier) as processes, and the Api as a process wired to them only by the environment an Aspire
/// AppHost gives it: <c>ConnectionStrings__cache</c>, <c>ConnectionStrings__metadata</c>,
/// <c>services__worker__http__0</c>, <c>services__embeddings__http__0</c>.
/// </summary>
public sealed class DistributedPlatform : IAsyncLifetime
{
    public const string Chat = "wordnet-chat-1m";
    public const string Embedding = "m2v-bge-base-vocabq-64d";
    public const string Gguf = "wordnet-chat-1m-gguf";
    public const string Classifier = ClassificationApiTests.Classifier;
    public const string CrossEncoder = "ms-marco-2l-random";

    private readonly string _spill = Directory.CreateTempSubdirectory("audit-spill-").FullName;

    public RedisServer Redis { get; } = new();

    public PostgresServer Postgres { get; } = new();

    public ServiceProcess Worker { get; private set; } = null!;

    public ServiceProcess Embeddings { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Redis.InitializeAsync(), Postgres.InitializeAsync());
        var services = await Task.WhenAll(
            ServiceProcess.StartAsync("Inference.Worker", new Dictionary<string, string>
            {
                ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
                [$"Inference__Models__{Chat}__Path"] = Chat,
                [$"Inference__Models__{Gguf}__Path"] = Gguf,
                ["Inference__LlamaCpp__Quantization"] = "F32",
            }),
            ServiceProcess.StartAsync("Inference.Embeddings", new Dictionary<string, string>
            {
                ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
                [$"Inference__Models__{Embedding}__Path"] = Embedding,
                [$"Inference__Models__{Classifier}__Path"] = $"../task-models/{Classifier}",
                [$"Inference__Models__{CrossEncoder}__Path"] = SyntheticCrossEncoder.Folder,
            }));
        (Worker, Embeddings) = (services[0], services[1]);
        Api = await ServiceProcess.StartAsync("Inference.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = Redis.ConnectionString,
            ["ConnectionStrings__metadata"] = Postgres.ConnectionString(),
            ["services__worker__http__0"] = Worker.BaseAddress.ToString(),
            ["services__embeddings__http__0"] = Embeddings.BaseAddress.ToString(),
            ["Inference__Cache__RetryAfter"] = "00:00:01",
            ["Inference__Metadata__Audit__SpillDirectory"] = _spill,
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var service in new[] { Api, Worker, Embeddings })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }

        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        Directory.Delete(_spill, recursive: true);
    }
}
