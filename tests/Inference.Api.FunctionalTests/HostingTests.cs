using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

public sealed class HostingTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/ready")]
    public async Task Health_endpoints_report_healthy_once_models_are_loaded(string path)
    {
        using var http = fixture.CreateClient();

        // /health includes the metadata database, which the host migrates in the background after it starts (other test
        // hosts share the file): Degraded until then.
        var status = await Eventually.HoldsAsync(() => http.GetStringAsync(path), text => text == "Healthy");
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", status);
    }

    [Fact]
    public async Task Models_and_ready_report_each_local_model_s_queue_and_backpressure()
    {
        using var http = fixture.CreateClient();
        var model = await http.GetFromJsonAsync<JsonElement>("/v1/models/tiny-random-gpt2");
        var queue = model.GetProperty("queue_metrics");
        Assert.Equal(16, queue.GetProperty("queue_capacity").GetInt32());
        Assert.Equal(0, queue.GetProperty("pending_messages").GetInt32());
        Assert.Equal("healthy", model.GetProperty("backpressure_status").GetProperty("level").GetString());
        Assert.Equal(0, model.GetProperty("backpressure_status").GetProperty("utilization").GetDouble());

        // /ready stays "Healthy" as text for probes; asked for JSON, it shows every check's data.
        var ready = await Eventually.HoldsAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/ready");
                request.Headers.Accept.ParseAdd("application/json");
                using var response = await http.SendAsync(request);
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            },
            r => r.GetProperty("status").GetString() == "Healthy");
        var data = ready.GetProperty("checks").GetProperty("models").GetProperty("data").GetProperty("tiny-random-gpt2");
        Assert.Equal(16, data.GetProperty("queue_metrics").GetProperty("queue_capacity").GetInt32());
        Assert.Equal("healthy", data.GetProperty("backpressure_status").GetProperty("level").GetString());
        Assert.Equal("Healthy", await http.GetStringAsync("/ready"));
    }

    [Fact]
    public async Task Streaming_is_server_sent_events_ending_with_done_and_usage()
    {
        using var http = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = OpenAIClientTests.Json("""{"model":"wordnet-chat-1m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"What does \"cat\" mean?"}]}"""),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("data: ", l, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement).ToList();
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out _))
            .Select(d => d.GetProperty("content").GetString()));
        Assert.Equal("cat: feline mammal usually having thick soft fur and no ability to roar.", text);
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(16, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(26, usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task A_full_queue_answers_429_and_frees_up_afterwards()
    {
        await using var busy = fixture.WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:Engine:MaxConcurrentRequests", "1");
            b.UseSetting("Inference:Engine:ChatBatchSize", "1");
            b.UseSetting("Inference:Engine:MaxQueuedRequests", "0");
        });
        using var http = busy.CreateClient();
        using (var holder = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = OpenAIClientTests.Json("""{"model":"tiny-random-gpt2","prompt":" the and of to in","max_tokens":500,"stream":true}"""),
        })
        using (var running = await http.SendAsync(holder, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, running.StatusCode);
            using var refused = await http.PostAsync("/v1/completions", OpenAIClientTests.Json("""{"model":"tiny-random-gpt2","prompt":" the","max_tokens":2}"""));
            await BadInputTests.AssertError(refused, 429, null, "rate_limit_exceeded");
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            await running.Content.ReadAsStringAsync();
        }

        using var after = await http.PostAsync("/v1/completions", OpenAIClientTests.Json("""{"model":"tiny-random-gpt2","prompt":" the","max_tokens":2}"""));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_missing_models_directory_stops_the_process_with_one_clear_line()
    {
        var (exitCode, stderr) = await RunApiAsync(("Inference__ModelsDirectory", "/nonexistent/models"));
        Assert.Equal(1, exitCode);
        Assert.Equal("Inference.Api cannot start: The models directory '/nonexistent/models' (Inference:ModelsDirectory / INFERENCE_MODELS_DIR) does not exist.", stderr.Trim());
    }

    [Fact]
    public async Task No_models_anywhere_stops_the_process_saying_what_to_set()
    {
        // A working directory with no shared/models above it, and no settings.
        var empty = Directory.CreateTempSubdirectory("no-models-").FullName;
        try
        {
            var (exitCode, stderr) = await RunApiAsync(empty, ("INFERENCE_MODELS_DIR", ""));
            Assert.Equal(1, exitCode);
            Assert.StartsWith("Inference.Api cannot start: No models to serve: set INFERENCE_MODELS_DIR or Inference:ModelsDirectory", stderr.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task A_broken_configured_model_stops_the_process_naming_the_folder()
    {
        var (exitCode, stderr) = await RunApiAsync(
            ("Inference__ModelsDirectory", InferenceApiFixture.ModelsRoot),
            ("Inference__Models__smol__Path", "SmolLM-360M-Instruct-tokenizer"),
            ("Inference__Models__smol__Kind", "Chat"));
        Assert.Equal(1, exitCode);
        var folder = Path.Combine(InferenceApiFixture.ModelsRoot, "SmolLM-360M-Instruct-tokenizer");
        Assert.StartsWith($"Inference.Api cannot start: Model folder '{folder}': no model weights found (expected ONNX weights (onnx/model*.onnx) or GGUF files (*.gguf))", stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_or_truncated_gguf_stops_the_process_naming_the_file_and_the_cause()
    {
        var folder = Directory.CreateTempSubdirectory("bad-gguf-").FullName;
        try
        {
            var garbage = Path.Combine(folder, "garbage.Q4_K_M.gguf");
            await File.WriteAllTextAsync(garbage, "not a model at all");
            var (exitCode, stderr) = await RunApiAsync(("Inference__Models__broken__Path", garbage));
            Assert.Equal(1, exitCode);
            Assert.Equal($"Inference.Api cannot start: Model file '{garbage}': not a GGUF file (it does not start with the GGUF magic)", stderr.Trim());

            var source = Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m-gguf", "wordnet-chat-1m.Q8_0.gguf");
            var cut = Path.Combine(folder, "cut", "model.Q8_0.gguf");
            Directory.CreateDirectory(Path.GetDirectoryName(cut)!);
            await File.WriteAllBytesAsync(cut, (await File.ReadAllBytesAsync(source))[..500_000]);
            (exitCode, stderr) = await RunApiAsync(("Inference__ModelsDirectory", folder), ("Inference__Models__cut__Path", "cut"));
            Assert.Equal(1, exitCode);
            Assert.StartsWith($"Inference.Api cannot start: Model file '{cut}': truncated: its tensors need 1,084,960 bytes but the file has 500,000", stderr.Trim(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_llama_cpp_backend_stops_the_process_in_one_line()
    {
        var model = Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m-gguf", "wordnet-chat-1m.F32.gguf");
        var notALibrary = Path.Combine(InferenceApiFixture.ModelsRoot, "wordnet-chat-1m-gguf", "README.md");
        var (exitCode, stderr) = await RunApiAsync(("Inference__Models__w__Path", model), ("Inference__LlamaCpp__NativeLibraryPath", notALibrary));
        Assert.Equal(1, exitCode);
        Assert.StartsWith($"Inference.Api cannot start: Model file '{model}': llama.cpp's native library could not be loaded (", stderr.Trim(), StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));

        var missing = "/nonexistent/libllama.so";
        (exitCode, stderr) = await RunApiAsync(("Inference__Models__w__Path", model), ("Inference__LlamaCpp__NativeLibraryPath", missing));
        Assert.Equal(1, exitCode);
        Assert.Equal($"Inference.Api cannot start: Model file '{model}': the configured llama.cpp library '{missing}' (Inference:LlamaCpp:NativeLibraryPath) does not exist", stderr.Trim());
    }

    /// <summary>Starts the built Api as its own process, as a user would, and waits for it to exit.</summary>
    internal static Task<(int ExitCode, string StandardError)> RunApiAsync(params (string Name, string Value)[] environment) =>
        RunApiAsync(null, environment);

    internal static async Task<(int ExitCode, string StandardError)> RunApiAsync(string? copyTo, params (string Name, string Value)[] environment)
    {
        var directory = AppContext.BaseDirectory;
        if (copyTo is not null)
        {
            // The app also looks for shared/models above its own folder, so run a copy from outside the checkout.
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            {
                File.Copy(file, Path.Combine(copyTo, Path.GetFileName(file)));
            }

            foreach (var runtimes in Directory.EnumerateDirectories(AppContext.BaseDirectory, "runtimes"))
            {
                CopyDirectory(runtimes, Path.Combine(copyTo, "runtimes"));
            }

            directory = copyTo;
        }

        return await ServiceProcess.RunDllToExitAsync(
            Path.Combine(directory, "Inference.Api.dll"), environment.ToDictionary(e => e.Name, e => e.Value), directory);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        }

        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        }
    }

    [Fact]
    public async Task Configured_models_are_the_only_ones_served()
    {
        await using var one = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting("Inference:Models:dictionary:Path", "wordnet-chat-1m");
        });
        using var http = one.CreateClient();
        var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement.GetProperty("data");
        Assert.Equal(["dictionary"], models.EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }
}
