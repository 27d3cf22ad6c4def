using Inference.Engines;
using Inference.Serving.Local;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Inference.Serving.Tests;

/// <summary>
/// A served local model's catalog entry refers to what its latest load says instead of a copy: before the first load
/// it knows its path and format, after it what the engine read from the files, and the size its format reckons for
/// the memory budget until a load says how much the engine holds.
/// </summary>
public sealed class ServedModelDescriptionTests
{
    [Fact]
    public async Task A_model_loaded_on_first_use_describes_its_latest_load()
    {
        var folder = Directory.CreateTempSubdirectory("described-").FullName;
        var format = new CountingFormat();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelFormat>(format);
        builder.AddInferenceServing(ModelKind.Chat);
        using var host = builder.Build();
        var factory = host.Services.GetRequiredService<LocalModelFactory>();
        var residency = host.Services.GetRequiredService<ModelResidency>();

        var served = factory.Serve("m", folder, ModelKind.Chat, null, [], loadNow: false, keepAlive: null, out var owner);
        using (owner)
        {
            Assert.Equal((folder, "counting", (int?)null), (served.Source, served.Format, served.ContextLength));
            Assert.Equal(CountingFormat.EstimatedBytes, residency.Find("m")!.SizeBytes);

            await served.ChatClient!.GetResponseAsync("hi");
            Assert.Equal((Path.Combine(folder, "weights.bin"), 100, "counting-arch"), (served.Source, served.ContextLength, served.Architecture));
            Assert.Equal(CountingFormat.LoadedBytes, residency.Find("m")!.SizeBytes);

            // Unloaded, it still says what it was; loaded again, what the new load says.
            Assert.True(residency.Find("m")!.TryUnload());
            Assert.Equal(100, served.ContextLength);
            await served.ChatClient!.GetResponseAsync("hi");
            Assert.Equal(200, served.ContextLength);
            Assert.Equal(2, format.Loads);
        }

        Directory.Delete(folder, recursive: true);
    }

    private sealed class CountingFormat : IModelFormat
    {
        public const long EstimatedBytes = 1234;
        public const long LoadedBytes = 4321;

        public int Loads { get; private set; }

        public string Name => "counting";

        public string Expects => "a folder";

        public bool Claims(string path) => Directory.Exists(path);

        public ModelKind DetectKind(string path) => ModelKind.Chat;

        public long WeightBytes(string path) => EstimatedBytes;

        public LoadedModel Load(ModelLoadRequest request)
        {
            Loads++;
            return new LoadedModel
            {
                Kind = ModelKind.Chat,
                Description = new ModelDescription
                {
                    Format = Name,
                    Source = Path.Combine(request.Path, "weights.bin"),
                    Architecture = "counting-arch",
                    ContextLength = 100 * Loads,
                },
                WeightBytes = LoadedBytes,
                ChatClient = new EchoClient(),
            };
        }
    }

    private sealed class EchoClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
