using System.Diagnostics;
using Inference.Benchmarks;
using Inference.Onnx;
using Inference.Engines;

// Usage: dotnet run -c Release --project bench/Inference.Benchmarks -- [--chat FOLDER|none] [--embedding FOLDER|none]
//        [--gguf FOLDER|none] [--threads N] [--http] [--skip-loop] [--gateway] [--constrained] [--onnx-http] [--jobs] [--auth] [--classify] [--templates]
//        [--surfaces [--cross-encoder FOLDER]] [--nats]
// Defaults: the synthetic SmolLM2-135M (ONNX and GGUF) and MiniLM-L6 in /tmp/models when built there (see
// bench/README.md), else wordnet-chat-1m (both formats) and m2v-bge-base-vocabq-64d from the models directory.
string? Option(string name) => args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Length).Select(x => args[x.i + 1]).FirstOrDefault();

var models = ModelsDirectory.Locate();
var chat = Option("--chat") is { } c ? (c == "none" ? null : c) : FirstExisting("/tmp/models/smollm2-135m-random", models is null ? null : Path.Combine(models, "wordnet-chat-1m"));
var embedding = Option("--embedding") is { } e ? (e == "none" ? null : e) : FirstExisting("/tmp/models/minilm-l6-random", models is null ? null : Path.Combine(models, "m2v-bge-base-vocabq-64d"));
var gguf = Option("--gguf") is { } g ? (g == "none" ? null : g) : FirstExisting("/tmp/models/smollm2-135m-gguf", models is null ? null : Path.Combine(models, "wordnet-chat-1m-gguf"));
var options = new OnnxEngineOptions { IntraOpThreads = int.Parse(Option("--threads") ?? "2", System.Globalization.CultureInfo.InvariantCulture) };

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, ONNX Runtime threads {options.IntraOpThreads}");

// --templates: rendering each shared model's chat template, and decode with and without a reasoning parser.
if (args.Contains("--templates") && models is not null)
{
    TemplateBenchmark.RunRendering(models);
    if (chat is not null)
    {
        await TemplateBenchmark.RunDecodeAsync(chat, options);
    }

    return;
}

// --surfaces: one streamed request through Chat Completions, Responses and Messages on the chat model; reranking.
if (args.Contains("--surfaces") && chat is not null)
{
    await SurfaceBenchmark.RunAsync(chat, Option("--cross-encoder"), embedding, options.IntraOpThreads, RepositoryRoot());
    return;
}

// --nats: the Worker over NATS and over HTTP, one-token round trips; 8 streams through 1 and 2 Workers in a queue group.
if (args.Contains("--nats") && chat is not null)
{
    await NatsBenchmark.RunAsync(chat, options.IntraOpThreads, RepositoryRoot());
    return;
}

// --classify: the text classifier of ../task-models against the embedding model it was built on.
if (args.Contains("--classify") && models is not null)
{
    ClassificationBenchmark.Run(Path.GetFullPath(Path.Combine(models, "..", "task-models", "wordnet-domain-m2v")), Path.Combine(models, "m2v-bge-base-vocabq-64d"), options);
    return;
}

if (chat is not null)
{
    ChatBenchmark.Run(chat, options);
}

if (embedding is not null)
{
    EmbeddingBenchmark.Run(embedding, options);
}

// Each quantization of the GGUF folder: the bare LLamaSharp loop and the engine's loop, then (--http) the Worker.
foreach (var file in gguf is null ? Enumerable.Empty<string>() : Directory.EnumerateFiles(gguf, "*.gguf").Where(f => f.Contains("Q8_0", StringComparison.Ordinal) || f.Contains("F32", StringComparison.Ordinal)).Order())
{
    if (!args.Contains("--skip-loop"))
    {
        LlamaLoopBenchmark.Run(file, options.IntraOpThreads);
    }

    if (args.Contains("--http"))
    {
        await LlamaHttpBenchmark.RunAsync(file, options.IntraOpThreads, RepositoryRoot());
    }
}

// --onnx-http: the ONNX chat folder through the Worker, with and without the decode batch.
if (args.Contains("--onnx-http") && chat is not null)
{
    await OnnxHttpBenchmark.RunAsync(chat, options.IntraOpThreads, RepositoryRoot());
}

// --constrained: decode with and without a JSON-schema constraint, both engines.
if (args.Contains("--constrained"))
{
    if (chat is not null)
    {
        ConstrainedBenchmark.RunOnnx(chat, options);
    }

    foreach (var file in gguf is null ? Enumerable.Empty<string>() : Directory.EnumerateFiles(gguf, "*.gguf").Where(f => f.Contains("Q8_0", StringComparison.Ordinal)))
    {
        await ConstrainedBenchmark.RunLlamaAsync(file, options.IntraOpThreads);
    }
}

// --jobs: a 1,000-item job through the Api with one and two Worker replicas.
if (args.Contains("--jobs"))
{
    await JobBenchmark.RunAsync(models ?? throw new InvalidOperationException("No models directory."), RepositoryRoot());
}

// --auth: what authentication and per-key limits cost a (cached) request.
if (args.Contains("--auth"))
{
    await AuthBenchmark.RunAsync(models ?? throw new InvalidOperationException("No models directory."), RepositoryRoot());
}

if (args.Contains("--gateway"))
{
    await GatewayBenchmark.RunAsync(models ?? throw new InvalidOperationException("No models directory."), RepositoryRoot());
}

Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");

static string? FirstExisting(params string?[] folders) => folders.FirstOrDefault(Directory.Exists);

static string RepositoryRoot()
{
    var root = new DirectoryInfo(AppContext.BaseDirectory);
    while (root is not null && !File.Exists(Path.Combine(root.FullName, "InferenceAspire.sln")))
    {
        root = root.Parent;
    }

    return root?.FullName ?? throw new InvalidOperationException("Run from the repository.");
}
