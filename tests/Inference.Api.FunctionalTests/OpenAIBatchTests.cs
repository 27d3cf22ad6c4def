#pragma warning disable OPENAI001 // the SDK's batch client is marked experimental
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The OpenAI .NET SDK's batch code, unchanged, against the platform: a JSONL file uploaded, a batch created and
/// waited for, its output file downloaded with each line's answer equal to the same request sent on its own, the
/// failing line in the error file; refusals as OpenAI errors.
/// </summary>
public sealed class OpenAIBatchTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_multipart_upload_without_a_boundary_or_cut_short_is_a_400()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        foreach (var type in new[] { "multipart/form-data", "multipart/form-data; boundary=xyz" })
        {
            using var content = new StringContent("""{"a":1}""");
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(type);
            await BadInputTests.AssertError(await http.PostAsync("/v1/files", content), 400, null, null);
        }
    }

    [Fact]
    public async Task The_sdk_uploads_a_file_runs_a_batch_and_downloads_answers_equal_to_direct_calls()
    {
        await using var api = _host.Start(b => b.UseSetting("Inference:Models:m2v:Path", "m2v-bge-base-vocabq-64d"));
        using var http = await LifecycleHost.ReadyAsync(api);
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions
        {
            Endpoint = new Uri(api.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(api.CreateClient()),
        });
        string[] questions = ["What does \"cat\" mean?", "What does \"dog\" mean?", "What does \"oak\" mean?"];
        var lines = questions.Select((q, i) => JsonSerializer.Serialize(new
        {
            custom_id = $"q{i}",
            method = "POST",
            url = "/v1/chat/completions",
            body = new { model = Model, messages = new[] { new { role = "user", content = q } }, temperature = 0, max_tokens = 12 },
        })).Append(JsonSerializer.Serialize(new
        {
            custom_id = "missing",
            method = "POST",
            url = "/v1/chat/completions",
            body = new { model = "nowhere", messages = new[] { new { role = "user", content = "hi" } } },
        }));

        var files = client.GetOpenAIFileClient();
        OpenAIFile input = await files.UploadFileAsync(BinaryData.FromString(string.Join('\n', lines) + "\n"), "questions.jsonl", FileUploadPurpose.Batch);
        Assert.StartsWith("file-", input.Id, StringComparison.Ordinal);
        Assert.Equal("questions.jsonl", input.Filename);

        var batches = client.GetBatchClient();
        var operation = await batches.CreateBatchAsync(
            BinaryContent.Create(BinaryData.FromObjectAsJson(new { input_file_id = input.Id, endpoint = "/v1/chat/completions", completion_window = "24h", metadata = new { run = "test" } })),
            waitUntilCompleted: false);
        Assert.StartsWith("batch_", operation.BatchId, StringComparison.Ordinal);
        await operation.WaitForCompletionAsync();

        var batch = JsonDocument.Parse((await operation.GetBatchAsync(options: null)).GetRawResponse().Content).RootElement;
        Assert.Equal("completed", batch.GetProperty("status").GetString());
        Assert.Equal((4, 3, 1), (batch.GetProperty("request_counts").GetProperty("total").GetInt32(), batch.GetProperty("request_counts").GetProperty("completed").GetInt32(), batch.GetProperty("request_counts").GetProperty("failed").GetInt32()));
        Assert.Equal("test", batch.GetProperty("metadata").GetProperty("run").GetString());

        var output = (await files.DownloadFileAsync(batch.GetProperty("output_file_id").GetString())).Value.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["q0", "q1", "q2"], output.Select(l => l.GetProperty("custom_id").GetString()));
        for (var i = 0; i < questions.Length; i++)
        {
            var direct = await client.GetChatClient(Model).CompleteChatAsync([OpenAI.Chat.ChatMessage.CreateUserMessage(questions[i])], new OpenAI.Chat.ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 });
            var response = output[i].GetProperty("response");
            Assert.Equal(200, response.GetProperty("status_code").GetInt32());
            var body = response.GetProperty("body");
            Assert.Equal(direct.Value.Content[0].Text, body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            Assert.Equal(direct.Value.Usage.OutputTokenCount, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
            Assert.Equal(JsonValueKind.Null, output[i].GetProperty("error").ValueKind);
        }

        var errors = (await files.DownloadFileAsync(batch.GetProperty("error_file_id").GetString())).Value.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var failed = Assert.Single(errors);
        Assert.Equal("missing", failed.GetProperty("custom_id").GetString());
        Assert.Equal(404, failed.GetProperty("response").GetProperty("status_code").GetInt32());
        Assert.Equal("model_not_found", failed.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString());

        // Each line was audited under its own request id, the one its response carries.
        var requestId = output[0].GetProperty("response").GetProperty("request_id").GetString();
        Assert.Equal($"{operation.BatchId}-0", requestId);

        var listed = JsonDocument.Parse(batches.GetBatchesAsync(after: null, limit: 10, options: null).GetRawPagesAsync() is var pages ? await FirstPageAsync(pages) : "").RootElement;
        Assert.Contains(listed.GetProperty("data").EnumerateArray(), b => b.GetProperty("id").GetString() == operation.BatchId);
    }

    [Fact]
    public async Task An_embeddings_batch_answers_with_the_vectors_of_direct_calls_and_cancel_stops_the_rest()
    {
        await using var api = _host.Start(b => b
            .UseSetting("Inference:Models:m2v:Path", "m2v-bge-base-vocabq-64d")
            .UseSetting("Inference:Jobs:Enabled", "false"));
        using var http = await LifecycleHost.ReadyAsync(api);
        var input = await UploadAsync(http, string.Join('\n', Enumerable.Range(0, 3).Select(i =>
            $$$"""{"custom_id":"e{{{i}}}","method":"POST","url":"/v1/embeddings","body":{"model":"m2v","input":"word {{{i}}}"}}""")));

        // No replica runs jobs here: the batch waits, and cancelling it leaves every line in the error file.
        using var created = await http.PostAsJsonAsync("/v1/batches", new { input_file_id = input, endpoint = "/v1/embeddings", completion_window = "24h" });
        var batch = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("in_progress", batch.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, batch.GetProperty("output_file_id").ValueKind);
        var id = batch.GetProperty("id").GetString();

        using var cancelled = await http.PostAsync($"/v1/batches/{id}/cancel", null);
        var after = await cancelled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("output_file_id").ValueKind);
        var errors = await http.GetStringAsync($"/v1/files/{after.GetProperty("error_file_id").GetString()}/content");
        Assert.Equal(3, errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("\"batch_cancelled\"", StringComparison.Ordinal)));
        using var again = await http.PostAsync($"/v1/batches/{id}/cancel", null);
        await BadInputTests.AssertError(again, 409, null, null);

        // Run by an Api that takes jobs: answers equal to direct calls.
        await using var worker = _host.Start(b => b.UseSetting("Inference:Models:m2v:Path", "m2v-bge-base-vocabq-64d"));
        using var working = await LifecycleHost.ReadyAsync(worker);
        using var second = await working.PostAsJsonAsync("/v1/batches", new { input_file_id = input, endpoint = "/v1/embeddings", completion_window = "24h" });
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var done = await Eventually.HoldsAsync(() => working.GetFromJsonAsync<JsonElement>($"/v1/batches/{secondId}"), b => b.GetProperty("status").GetString() == "completed");
        var lines = (await working.GetStringAsync($"/v1/files/{done.GetProperty("output_file_id").GetString()}/content")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (var i = 0; i < 3; i++)
        {
            using var direct = await working.PostAsJsonAsync("/v1/embeddings", new { model = "m2v", input = $"word {i}" });
            var expected = (await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("embedding").GetRawText();
            var line = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal($"e{i}", line.GetProperty("custom_id").GetString());
            Assert.Equal(expected, line.GetProperty("response").GetProperty("body").GetProperty("data")[0].GetProperty("embedding").GetRawText());
        }
    }

    [Fact]
    public async Task Bad_files_and_batches_are_openai_errors()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        using (var notForm = await http.PostAsync("/v1/files", OpenAIClientTests.Json("{}")))
        {
            await BadInputTests.AssertError(notForm, 400, null, null);
        }

        using (var wrongPurpose = await http.PostAsync("/v1/files", Form("fine-tune", "{}")))
        {
            await BadInputTests.AssertError(wrongPurpose, 400, null, null);
        }

        using (var missing = await http.GetAsync("/v1/files/file-nope"))
        {
            await BadInputTests.AssertError(missing, 404, null, "not_found");
        }

        var good = $$$"""{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"{{{Model}}}","messages":[]}}""";
        foreach (var (content, endpoint, reason) in new[]
        {
            (good, "/v1/images", "endpoint"),
            ("not json", "/v1/chat/completions", "Line 1 is not JSON"),
            (good + "\n" + good, "/v1/chat/completions", "Line 2: custom_id 'a' is used"),
            (good.Replace("/v1/chat/completions", "/v1/embeddings", StringComparison.Ordinal), "/v1/chat/completions", "Line 1: url must be"),
            ("""{"custom_id":"a","method":"GET","url":"/v1/chat/completions","body":{}}""", "/v1/chat/completions", "method must be POST"),
        })
        {
            var file = await UploadAsync(http, content);
            using var refused = await http.PostAsJsonAsync("/v1/batches", new { input_file_id = file, endpoint, completion_window = "24h" });
            var error = await BadInputTests.AssertError(refused, 400, null, null);
            Assert.Contains(reason, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        using (var window = await http.PostAsJsonAsync("/v1/batches", new { input_file_id = await UploadAsync(http, good), endpoint = "/v1/chat/completions", completion_window = "1h" }))
        {
            await BadInputTests.AssertError(window, 400, null, null);
        }

        using (var noFile = await http.PostAsJsonAsync("/v1/batches", new { input_file_id = "file-nope", endpoint = "/v1/chat/completions", completion_window = "24h" }))
        {
            await BadInputTests.AssertError(noFile, 404, null, "not_found");
        }

        using var unknown = await http.GetAsync("/v1/batches/batch_nope");
        await BadInputTests.AssertError(unknown, 404, null, "not_found");
    }

    private static MultipartFormDataContent Form(string purpose, string content) => new()
    {
        { new StringContent(purpose), "purpose" },
        { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", "input.jsonl" },
    };

    private static async Task<string> UploadAsync(HttpClient http, string content)
    {
        using var response = await http.PostAsync("/v1/files", Form("batch", content));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<string> FirstPageAsync(IAsyncEnumerable<ClientResult> pages)
    {
        await foreach (var page in pages)
        {
            return page.GetRawResponse().Content.ToString();
        }

        return "";
    }
}
