using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Every service, started the way an orchestrator starts it, refuses a missing models directory with one line; a models
/// directory holding a kind of model no engine serves still starts, and a broken model of a known kind does not.
/// </summary>
public sealed class ServiceStartupErrorTests : IDisposable
{
    private readonly DirectoryInfo _models = Directory.CreateTempSubdirectory("models-");

    public void Dispose() => _models.Delete(recursive: true);
    [Theory]
    [InlineData("Inference.Worker")]
    [InlineData("Inference.Embeddings")]
    [InlineData("Inference.Api")]
    public async Task A_missing_models_directory_stops_the_service_naming_it(string project)
    {
        var (exitCode, stderr) = await ServiceProcess.RunToExitAsync(project, new Dictionary<string, string>
        {
            ["INFERENCE_MODELS_DIR"] = "/nonexistent/models",
        });

        Assert.Equal(1, exitCode);
        Assert.Equal(
            $"{project} cannot start: The models directory '/nonexistent/models' (Inference:ModelsDirectory / INFERENCE_MODELS_DIR) does not exist.",
            stderr.Trim());
    }

    [Fact]
    public async Task A_model_of_a_kind_no_engine_serves_is_skipped_with_a_warning_naming_it()
    {
        Directory.CreateSymbolicLink(Path.Combine(_models.FullName, InferenceApiFixture.Chat), Path.Combine(InferenceApiFixture.ModelsRoot, InferenceApiFixture.Chat));
        var tagger = Classifier("token-tagger");
        File.WriteAllText(Path.Combine(tagger, "config.json"), """{"architectures":["BertForTokenClassification"],"model_type":"bert","id2label":{"0":"O","1":"B-PER"}}""");
        // An encoder whose configuration says nothing of its head: its graph (logits, no labels) is neither kind.
        var headless = Classifier("headless-encoder");
        File.WriteAllText(Path.Combine(headless, "config.json"), """{"model_type":"bert","hidden_size":64}""");

        await using var api = await ServiceProcess.StartAsync("Inference.Api", new Dictionary<string, string>
        {
            ["INFERENCE_MODELS_DIR"] = _models.FullName,
            ["Inference__AdditionalModelsDirectories__0"] = "",
            ["Inference__Metadata__SqlitePath"] = Path.Combine(_models.FullName, "metadata.db"),
        });
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        var models = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal([InferenceApiFixture.Chat], models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.Contains($"Skipping {tagger}: a BertForTokenClassification is a kind of model this engine does not serve", api.Output, StringComparison.Ordinal);
        Assert.Contains($"Skipping {headless}: an encoder whose graph gives logits", api.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_model_of_a_known_kind_stops_the_start_naming_it()
    {
        var broken = Classifier("broken-classifier");
        File.WriteAllBytes(Path.Combine(broken, "onnx", "model.onnx"), [1, 2, 3, 4]);

        var (exitCode, stderr) = await ServiceProcess.RunToExitAsync("Inference.Api", new Dictionary<string, string>
        {
            ["INFERENCE_MODELS_DIR"] = _models.FullName,
            ["Inference__AdditionalModelsDirectories__0"] = "",
            ["Inference__Metadata__SqlitePath"] = Path.Combine(_models.FullName, "metadata.db"),
        });
        Assert.Equal(1, exitCode);
        Assert.StartsWith($"Inference.Api cannot start: Model folder '{broken}'", stderr.Trim(), StringComparison.Ordinal);
    }

    /// <summary>A copy of the domain classifier's folder under <paramref name="name"/> in the temporary models directory.</summary>
    private string Classifier(string name)
    {
        var source = Path.Combine(InferenceApiFixture.ModelsRoot, "..", "task-models", ClassificationApiTests.Classifier);
        var target = Path.Combine(_models.FullName, name);
        Directory.CreateDirectory(Path.Combine(target, "onnx"));
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        File.Copy(Path.Combine(source, "onnx", "model.onnx"), Path.Combine(target, "onnx", "model.onnx"));
        return target;
    }
}
