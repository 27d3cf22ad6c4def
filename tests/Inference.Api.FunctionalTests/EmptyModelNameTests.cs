using System.Net;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// An empty or blank model name names nothing: on every route that takes one it is a 400 in that API's error shape,
/// naming the field, never a 500 and never a default model; in a batch it fails its own item with that 400.
/// </summary>
public sealed class EmptyModelNameTests(InferenceApiFixture fixture) : IClassFixture<InferenceApiFixture>
{
    public static TheoryData<string, string, string> Routes()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var blank in new[] { "\"\"", "\"   \"" })
        {
            foreach (var (route, body) in new (string, string)[]
            {
                ("/v1/chat/completions", """{"model":M,"messages":[{"role":"user","content":"hi"}]}"""),
                ("/v1/completions", """{"model":M,"prompt":"hi"}"""),
                ("/v1/completions", """{"model":M,"input":"hi"}"""),
                ("/v1/embeddings", """{"model":M,"input":"hi"}"""),
                ("/v1/classify", """{"model":M,"input":"hi"}"""),
                ("/predict", """{"model":M,"inputs":"hi"}"""),
                ("/infer", """{"model":M,"text":"hi"}"""),
                ("/api/inference/text", """{"model_id":M,"input":"hi"}"""),
                ("/api/inference/analyze", """{"model":M,"text":"hi"}"""),
                ("/api/inference/batch", """{"requests":[{"model":M,"text":"hi"}]}"""),
                ("/api/chat", """{"model":M,"messages":[{"role":"user","content":"hi"}]}"""),
                ("/api/generate", """{"model":M,"prompt":"hi"}"""),
                ("/api/embed", """{"model":M,"input":"hi"}"""),
                ("/api/embeddings", """{"model":M,"prompt":"hi"}"""),
                ("/api/show", """{"model":M}"""),
                ("/generate", """{"model":M,"prompt":"hi"}"""),
                ("/generate/structured", """{"model":M,"prompt":"hi","schema":{"type":"object"}}"""),
            })
            {
                data.Add(route, body.Replace("M", blank, StringComparison.Ordinal), blank);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Is_a_400_naming_the_field(string route, string body, string blank)
    {
        _ = blank;
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync(route, OpenAIClientTests.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{route}: {(int)response.StatusCode} {text}");
        var error = JsonDocument.Parse(text).RootElement;
        var message = route switch
        {
            _ when route.StartsWith("/v1", StringComparison.Ordinal) => error.GetProperty("error").GetProperty("message").GetString(),
            "/predict" => error.GetProperty("error").GetString(),
            _ when route.StartsWith("/api/", StringComparison.Ordinal) && !route.StartsWith("/api/inference", StringComparison.Ordinal) => error.GetProperty("error").GetString(),
            _ => error.GetProperty("detail").GetString(),
        };
        Assert.Contains("model", message, StringComparison.Ordinal);
        if (route.StartsWith("/v1", StringComparison.Ordinal))
        {
            Assert.Equal("model", error.GetProperty("error").GetProperty("param").GetString());
        }
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"  \"")]
    public async Task Fails_its_own_item_in_a_synchronous_batch(string blank)
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/infer/batch", OpenAIClientTests.Json($$$"""{"requests":[{"model":{{{blank}}},"text":"hi"},{"model":"{{{InferenceApiFixture.Chat}}}","text":"hi","parameters":{"max_length":2}}]}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(400, results[0].GetProperty("status").GetInt32());
        Assert.Contains("model", results[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(results[1].GetProperty("success").GetBoolean());
    }
}
