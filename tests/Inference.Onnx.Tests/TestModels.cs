using System.Text.Json;
using Inference.Onnx.Models;

namespace Inference.Onnx.Tests;

/// <summary>The shared model folders the tests run against; a missing folder fails the test, it never skips it.</summary>
internal static class TestModels
{
    public const string WordnetChat = "wordnet-chat-1m";
    public const string TinyGpt2 = "tiny-random-gpt2";
    public const string M2vEmbedding = "m2v-bge-base-vocabq-64d";

    /// <summary>A text classifier, in ../task-models beside the models directory.</summary>
    public const string DomainClassifier = "../task-models/wordnet-domain-m2v";

    public static string Root { get; } = ModelsDirectory.Locate()
        ?? throw new InvalidOperationException($"No models directory: set {ModelsDirectory.EnvironmentVariable} or put shared/models beside the checkout.");

    public static string Folder(string name)
    {
        var folder = Path.GetFullPath(Path.Combine(Root, name));
        return Directory.Exists(folder) ? folder : throw new DirectoryNotFoundException($"Model folder {folder} is missing.");
    }

    public static JsonElement Json(string model, string file) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder(model), file))).RootElement;

    public static OnnxEngineOptions Options { get; } = new() { IntraOpThreads = 1 };
}
