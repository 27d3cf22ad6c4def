namespace Inference.Api.FunctionalTests;

/// <summary>Every service, started the way an orchestrator starts it, refuses a missing models directory with one line.</summary>
public sealed class ServiceStartupErrorTests
{
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
}
