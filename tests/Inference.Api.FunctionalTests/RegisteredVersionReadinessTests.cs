using System.Net;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A ready service serves every version its registry lists: after a restart (a real process, probed as a load
/// balancer probes it, without pause), /ready answers 200 only once the versions registered at run time are loaded
/// again, so the first request after it finds them.
/// </summary>
public sealed class RegisteredVersionReadinessTests : IDisposable
{
    private const string Model = "dictionary";
    private static readonly string[] Versions = ["2.0.0", "3.0.0", "4.0.0"];
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("inference-readiness-");

    public void Dispose()
    {
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the temp folder is cleaned later.
        }
    }

    [Fact]
    public async Task Registered_versions_are_served_as_soon_as_ready_answers_after_a_restart()
    {
        await using (var first = await StartAsync())
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            await Eventually.HoldsAsync(() => http.GetAsync($"/models/{Model}"), r => r.IsSuccessStatusCode);
            foreach (var (version, path) in Versions.Zip(["wordnet-chat-1m-gguf", "wordnet-chat-1m", "wordnet-chat-1m-gguf"]))
            {
                using var registered = await http.PostAsync("/models/register", OpenAIClientTests.Json($$"""{"name":"{{Model}}","version":"{{version}}","model_path":"{{path}}"}"""));
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            }
        }

        for (var restart = 0; restart < 2; restart++)
        {
            await using var api = await StartAsync();
            using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

            // Asked the moment /ready first answers 200: every registered version answers.
            foreach (var version in Versions)
            {
                using var response = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(
                    $$"""{"model":"{{Model}}:{{version}}","max_tokens":2,"messages":[{"role":"user","content":"dog"}]}"""));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{version} after restart {restart}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    private Task<ServiceProcess> StartAsync() => ServiceProcess.StartAsync("Inference.Api", new Dictionary<string, string>
    {
        ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
        [$"Inference__Models__{Model}__Path"] = "wordnet-chat-1m",
        ["Inference__Metadata__SqlitePath"] = Path.Combine(_data.FullName, "metadata.db"),
        ["Inference__Metadata__Audit__SpillDirectory"] = Path.Combine(_data.FullName, "spill"),
    }, readyPoll: TimeSpan.FromMilliseconds(5));
}
