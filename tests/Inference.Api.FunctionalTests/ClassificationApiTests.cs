using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The embedded default serves the text classifier of ../task-models beside the chat and embedding models: listed with
/// its task and labels, answering vLLM's /v1/classify, TEI's /predict, seed 002's /infer and seed 003's analyze with the
/// reference's labels and probabilities, audited, cached and refused clearly when asked wrongly.
/// </summary>
public sealed class ClassificationApiTests(InferenceApiFixture api) : IClassFixture<InferenceApiFixture>
{
    public const string Classifier = "wordnet-domain-m2v";

    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllBytes(
        Path.Combine(InferenceApiFixture.ModelsRoot, "..", "task-models", Classifier, "reference.json"))).RootElement;

    private static List<JsonElement> Cases => [.. Reference.GetProperty("cases").EnumerateArray()];

    private static string[] Labels => [.. Reference.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!)];

    [Fact]
    public async Task The_classifier_is_listed_with_its_task_and_labels_in_the_openai_and_registry_lists()
    {
        using var http = api.CreateClient();
        var models = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        var listed = models.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == Classifier);
        var capabilities = listed.GetProperty("capabilities");
        Assert.Equal(["text-classification"], capabilities.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(Labels, capabilities.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        // The chat and embedding models are still there.
        Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == InferenceApiFixture.Chat);

        var registered = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>("/api/models"),
            r => r.EnumerateArray().Any(m => m.GetProperty("id").GetString() == Classifier));
        var entry = registered.EnumerateArray().Single(m => m.GetProperty("id").GetString() == Classifier);
        Assert.Equal(("classification", "text-classification"), (entry.GetProperty("kind").GetString(), entry.GetProperty("task").GetString()));
        Assert.Equal(Labels, entry.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        var chat = registered.EnumerateArray().Single(m => m.GetProperty("id").GetString() == InferenceApiFixture.Chat);
        Assert.Equal("text-generation", chat.GetProperty("task").GetString());
        Assert.False(chat.TryGetProperty("labels", out _));
    }

    [Fact]
    public async Task Classify_answers_in_vllms_shape_with_the_references_labels_and_probabilities()
    {
        using var http = api.CreateClient();
        var cases = Cases;
        using var response = await http.PostAsJsonAsync("/v1/classify", new { model = Classifier, input = cases.Select(c => c.GetProperty("text").GetString()).ToArray() });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("list", Classifier), (body.GetProperty("object").GetString(), body.GetProperty("model").GetString()?.Split(':')[0]));
        Assert.StartsWith("classify-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        var data = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(cases.Count, data.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            Assert.Equal(8, data[i].GetProperty("num_classes").GetInt32());
            Assert.Equal(cases[i].GetProperty("label").GetString(), data[i].GetProperty("label").GetString());
            AssertClose(cases[i].GetProperty("probabilities"), data[i].GetProperty("probs"), 1e-4);
            AssertClose(cases[i].GetProperty("logits"), data[i].GetProperty("logits"), 1e-4);
        }

        var tokens = cases.Sum(c => c.GetProperty("ids").GetArrayLength());
        Assert.Equal(tokens, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(tokens, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        // One string is one item.
        var single = await (await http.PostAsJsonAsync("/v1/classify", new { model = Classifier, input = cases[3].GetProperty("text").GetString() })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(cases[3].GetProperty("label").GetString(), Assert.Single(single.GetProperty("data").EnumerateArray()).GetProperty("label").GetString());
    }

    [Fact]
    public async Task Predict_answers_in_teis_shape_best_first_with_top_k_and_raw_scores()
    {
        using var http = api.CreateClient();
        var reference = Cases[1];
        var text = reference.GetProperty("text").GetString();
        var scores = await (await http.PostAsJsonAsync("/predict", new { inputs = text })).Content.ReadFromJsonAsync<JsonElement>();
        var list = scores.EnumerateArray().ToList();
        Assert.Equal(8, list.Count);
        Assert.Equal(reference.GetProperty("label").GetString(), list[0].GetProperty("label").GetString());
        Assert.True(list.Zip(list.Skip(1)).All(p => p.First.GetProperty("score").GetDouble() >= p.Second.GetProperty("score").GetDouble()), "best first");
        var probabilities = reference.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        foreach (var score in list)
        {
            var index = Array.IndexOf(Labels, score.GetProperty("label").GetString());
            Assert.InRange(score.GetProperty("score").GetDouble(), probabilities[index] - 1e-4, probabilities[index] + 1e-4);
        }

        var raw = await (await http.PostAsJsonAsync("/predict", new { inputs = text, raw_scores = true, top_k = 2 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, raw.GetArrayLength());
        var logits = reference.GetProperty("logits").EnumerateArray().Select(p => p.GetDouble()).OrderDescending().ToArray();
        Assert.InRange(raw[0].GetProperty("score").GetDouble(), logits[0] - 1e-4, logits[0] + 1e-4);
        Assert.InRange(raw[1].GetProperty("score").GetDouble(), logits[1] - 1e-4, logits[1] + 1e-4);

        var batch = await (await http.PostAsJsonAsync("/predict", new { inputs = Cases.Take(3).Select(c => c.GetProperty("text").GetString()).ToArray(), top_k = 1 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Cases.Take(3).Select(c => c.GetProperty("label").GetString()), batch.EnumerateArray().Select(b => Assert.Single(b.EnumerateArray()).GetProperty("label").GetString()));
    }

    [Fact]
    public async Task Infer_and_analyze_answer_with_the_label_and_its_confidence()
    {
        using var http = api.CreateClient();
        var reference = Cases[2];
        var text = reference.GetProperty("text").GetString();
        var label = reference.GetProperty("label").GetString();
        var confidence = reference.GetProperty("probabilities").EnumerateArray().Max(p => p.GetDouble());

        var inferred = await (await http.PostAsJsonAsync("/infer", new { text, model = Classifier })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(inferred.GetProperty("success").GetBoolean(), inferred.ToString());
        var result = inferred.GetProperty("result");
        Assert.Equal(label, result.GetProperty("label").GetString());
        Assert.InRange(result.GetProperty("confidence").GetDouble(), confidence - 1e-4, confidence + 1e-4);
        Assert.Equal(8, result.GetProperty("scores").EnumerateObject().Count());
        Assert.Equal("classification", inferred.GetProperty("metadata").GetProperty("model_type").GetString());
        Assert.StartsWith(Classifier + ":", inferred.GetProperty("model_used").GetString(), StringComparison.Ordinal);

        var analyzed = await (await http.PostAsJsonAsync("/api/inference/analyze", new { model = Classifier, text, top_k = 3 })).Content.ReadFromJsonAsync<JsonElement>();
        var only = Assert.Single(analyzed.GetProperty("results").EnumerateArray());
        Assert.Equal(label, only.GetProperty("label").GetString());
        Assert.InRange(only.GetProperty("confidence").GetDouble(), confidence - 1e-4, confidence + 1e-4);
        Assert.Equal(3, only.GetProperty("scores").GetArrayLength());
        Assert.Equal(reference.GetProperty("ids").GetArrayLength(), analyzed.GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task Calls_are_audited_and_an_input_classified_before_comes_from_the_cache()
    {
        using var http = api.CreateClient();
        var text = $"a small {Guid.NewGuid():N} dog that barks";
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsJsonAsync("/v1/classify", new { model = Classifier, input = text });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var report = await http.GetFromJsonAsync<JsonElement>("/performance/report?window=5m");
        var row = report.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == Classifier);
        Assert.Equal("classify", row.GetProperty("operation").GetString());
        Assert.True(row.GetProperty("requests").GetInt32() >= 3);
        Assert.True(row.GetProperty("cache_hits").GetInt32() >= 2, row.ToString());

        var usage = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/metrics/usage?period=hour&model={Classifier}"),
            u => u.GetProperty("totals").GetProperty("requests").GetInt32() >= 3);
        Assert.True(usage.GetProperty("totals").GetProperty("input_tokens").GetInt64() >= 3 * 5);
    }

    [Fact]
    public async Task Wrong_requests_are_refused_in_each_apis_format()
    {
        using var http = api.CreateClient();
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/classify", new { model = Classifier, input = "" }), 400, "input", null);
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/classify", new { model = Classifier, input = Array.Empty<string>() }), 400, "input", null);
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/classify", new { model = Classifier, input = new[] { 1, 2 } }), 400, "input", null);
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/classify", new { model = InferenceApiFixture.Chat, input = "a dog" }), 400, "model", "model_not_supported");
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/classify", new { model = "no-such-model", input = "a dog" }), 404, "model", "model_not_found");
        var tooLong = string.Join(' ', Enumerable.Repeat("cat", 600));
        await BadInputTests.AssertError(await http.PostAsJsonAsync("/v1/classify", new { model = Classifier, input = tooLong }), 400, "input", "context_length_exceeded");

        // TEI's error body on /predict, problem details on analyze, a failed result on /infer.
        using var predict = await http.PostAsJsonAsync("/predict", new { inputs = "" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, predict.StatusCode);
        var tei = await predict.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Validation", tei.GetProperty("error_type").GetString());
        Assert.Contains("empty", tei.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.PostAsJsonAsync("/predict", new { inputs = tooLong })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.PostAsJsonAsync("/predict", new { inputs = "a dog", top_k = 0 })).StatusCode);
        using var analyze = await http.PostAsJsonAsync("/api/inference/analyze", new { model = InferenceApiFixture.Embedding, text = "a dog" });
        Assert.Equal(HttpStatusCode.BadRequest, analyze.StatusCode);
        Assert.Equal("application/problem+json", analyze.Content.Headers.ContentType?.MediaType);
        using var infer = await http.PostAsJsonAsync("/infer", new { model = Classifier, text = tooLong });
        Assert.Equal(HttpStatusCode.BadRequest, infer.StatusCode);
    }

    private static void AssertClose(JsonElement expected, JsonElement actual, double tolerance)
    {
        var e = expected.EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var a = actual.EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(e.Length, a.Length);
        for (var i = 0; i < e.Length; i++)
        {
            Assert.InRange(a[i], e[i] - tolerance, e[i] + tolerance);
        }
    }
}
