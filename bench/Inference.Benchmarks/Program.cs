using System.Diagnostics;
using Inference.Benchmarks;
using Inference.Onnx;
using Inference.Engines;

// Usage: dotnet run -c Release --project bench/Inference.Benchmarks -- [--chat FOLDER|none] [--embedding FOLDER|none] [--threads N] [--gateway]
// Defaults: the synthetic SmolLM2-135M and MiniLM-L6 in /tmp/models when built there (see bench/README.md),
// else wordnet-chat-1m and m2v-bge-base-vocabq-64d from the models directory.
string? Option(string name) => args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Length).Select(x => args[x.i + 1]).FirstOrDefault();

var models = ModelsDirectory.Locate();
var chat = Option("--chat") is { } c ? (c == "none" ? null : c) : FirstExisting("/tmp/models/smollm2-135m-random", models is null ? null : Path.Combine(models, "wordnet-chat-1m"));
var embedding = Option("--embedding") is { } e ? (e == "none" ? null : e) : FirstExisting("/tmp/models/minilm-l6-random", models is null ? null : Path.Combine(models, "m2v-bge-base-vocabq-64d"));
var options = new OnnxEngineOptions { IntraOpThreads = int.Parse(Option("--threads") ?? "2", System.Globalization.CultureInfo.InvariantCulture) };

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, ONNX Runtime threads {options.IntraOpThreads}");
if (chat is not null)
{
    ChatBenchmark.Run(chat, options);
}

if (embedding is not null)
{
    EmbeddingBenchmark.Run(embedding, options);
}

if (args.Contains("--gateway"))
{
    var root = new DirectoryInfo(AppContext.BaseDirectory);
    while (root is not null && !File.Exists(Path.Combine(root.FullName, "InferenceAspire.sln")))
    {
        root = root.Parent;
    }

    await GatewayBenchmark.RunAsync(models ?? throw new InvalidOperationException("No models directory."), root?.FullName ?? throw new InvalidOperationException("Run from the repository."));
}

Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");

static string? FirstExisting(params string?[] folders) => folders.FirstOrDefault(Directory.Exists);
