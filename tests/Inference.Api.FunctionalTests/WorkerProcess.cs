namespace Inference.Api.FunctionalTests;

/// <summary>The real Inference.Worker serving wordnet-chat-1m as its own process on a free loopback port.</summary>
public sealed class WorkerProcess : IAsyncLifetime
{
    private ServiceProcess? _worker;

    public Uri BaseAddress => _worker!.BaseAddress;

    public async Task InitializeAsync() => _worker = await ServiceProcess.StartAsync("Inference.Worker", new Dictionary<string, string>
    {
        ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
        ["Inference__Models__wordnet-chat-1m__Path"] = "wordnet-chat-1m",
    });

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }
}
