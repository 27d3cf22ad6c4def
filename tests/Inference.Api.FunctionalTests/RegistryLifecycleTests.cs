using System.Net.Http.Json;
using System.Text.Json;

namespace Inference.Api.FunctionalTests;

/// <summary>Registering, activating and deprecating versions; model:version routing; the registry surviving a restart and shared by replicas.</summary>
public sealed class RegistryLifecycleTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_version_registered_with_jinja_text_renders_its_prompts_with_it()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            name = Model,
            version = "7.0.0",
            model_path = "wordnet-chat-1m",
            chat_template = "{% for m in messages %}[{{ m.role | upper }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[ASSISTANT] {% endif %}",
        });
        await LifecycleHost.PostAsync(http, "/models/register", body, 201);

        var applied = await LifecycleHost.PostAsync(http, "/apply-template", $$"""{"model":"{{Model}}:7.0.0","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal("[USER] Hi\n[ASSISTANT] ", applied.GetProperty("prompt").GetString());

        var broken = System.Text.Json.JsonSerializer.Serialize(new { name = Model, version = "7.0.1", model_path = "wordnet-chat-1m", chat_template = "{% for m in messages %}unclosed" });
        await AssertProblemAsync(http, "/models/register", broken, 400, "does not parse");
    }

    [Fact]
    public async Task A_registered_version_is_loaded_served_as_name_version_and_takes_the_name_once_activated_even_after_a_restart()
    {
        await using (var api = _host.Start())
        {
            using var http = await LifecycleHost.ReadyAsync(api);
            var registered = await LifecycleHost.PostAsync(http, "/models/register", $$$"""
                {"name":"{{{Model}}}","version":"2.0.0","model_path":"wordnet-chat-1m-gguf","description":"The GGUF copy","model_type":"llm",
                 "framework":"gguf","tags":["production","optimized"],"performance_metrics":{"accuracy":0.95,"latency_ms":150}}
                """, 201);
            Assert.Equal(("registered", false, true, "gguf"), (registered.GetProperty("origin").GetString(), registered.GetProperty("default").GetBoolean(),
                registered.GetProperty("served").GetBoolean(), registered.GetProperty("framework").GetString()));
            Assert.Equal(0.95, registered.GetProperty("performance_metrics").GetProperty("accuracy").GetDouble());

            // Both versions serve: the bare name is still the configured one, name:version pins the new one.
            Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, "u1"));
            Assert.Equal($"{Model}:2.0.0", await LifecycleHost.AnsweredByAsync(http, $"{Model}:2.0.0", "u1"));
            Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, $"{Model}:1", "u1"));
            var listed = await http.GetFromJsonAsync<JsonElement>("/v1/models");
            Assert.Contains($"{Model}:2.0.0", listed.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));

            await LifecycleHost.PostAsync(http, $"/models/{Model}/activate", """{"version":"2.0.0"}""");
            Assert.Equal($"{Model}:2.0.0", await LifecycleHost.AnsweredByAsync(http, Model, "u1"));
            Assert.Equal($"{Model}:2.0.0", await LifecycleHost.AnsweredByAsync(http, $"{Model}:latest", "u1"));

            var versions = await http.GetFromJsonAsync<JsonElement>($"/models/{Model}");
            Assert.Equal("2.0.0", versions.GetProperty("active_version").GetString());
            Assert.Equal(["1", "2.0.0"], versions.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()!).ToArray());
            var lineage = versions.GetProperty("lineage").EnumerateArray().Last();
            Assert.Equal(("2.0.0", "1"), (lineage.GetProperty("version").GetString(), lineage.GetProperty("replaced").GetString()));
            Assert.Equal("operator", lineage.GetProperty("by").GetString());
        }

        // A restart reads the registry back: the registered version is loaded again and keeps the name.
        await using (var restarted = _host.Start())
        {
            using var http = await LifecycleHost.ReadyAsync(restarted);
            var answered = await Eventually.HoldsAsync(() => LifecycleHost.TryAnsweredByAsync(http, Model, "u1"), m => m == $"{Model}:2.0.0");
            Assert.Equal($"{Model}:2.0.0", answered);

            // Activating the configured version again hands the name back to it.
            await LifecycleHost.PostAsync(http, $"/models/{Model}:1/activate", "{}");
            Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, "u1"));
        }
    }

    [Fact]
    public async Task Registrations_that_cannot_be_served_are_refused_with_the_reason_and_recorded_nowhere()
    {
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);

        var broken = Directory.CreateTempSubdirectory("broken-model-").FullName;
        File.WriteAllText(Path.Combine(broken, "model.gguf"), "not a gguf file");
        await AssertProblemAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"3","model_path":"{{broken.Replace("\\", "/", StringComparison.Ordinal)}}/model.gguf"}""", 400, "cannot be loaded");
        await AssertProblemAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"3","model_path":"no-such-folder"}""", 400, "does not exist");
        await AssertProblemAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"3","model_path":"m2v-bge-base-vocabq-64d"}""", 400, "chat model");
        await AssertProblemAsync(http, "/models/register", """{"name":"a:b","version":"1","model_path":"wordnet-chat-1m"}""", 400, "name");
        await AssertProblemAsync(http, "/models/register", """{"name":"x","model_path":"wordnet-chat-1m"}""", 400, "version");
        await AssertProblemAsync(http, "/models/register", """{"name":"x","version":"1"}""", 400, "model_path");
        await AssertProblemAsync(http, "/models/register", """{"name":"x","version":"1","provider":"telepathy","connection_string":"Endpoint=http://localhost"}""", 400, "telepathy");
        await AssertProblemAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"1","model_path":"wordnet-chat-1m"}""", 409, "already has");

        var versions = await http.GetFromJsonAsync<JsonElement>($"/models/{Model}");
        Assert.Equal(["1"], versions.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()!).ToArray());
        using var unknown = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json($$"""{"model":"{{Model}}:3","messages":[{"role":"user","content":"hi"}]}"""));
        await BadInputTests.AssertError(unknown, 404, "model", "model_not_found");

        await AssertProblemAsync(http, $"/models/{Model}/activate", """{"version":"9"}""", 404, "no version");
        await AssertProblemAsync(http, "/models/nothing/activate", """{"version":"1"}""", 404, "No model");
        await AssertProblemAsync(http, $"/models/{Model}/activate", "{}", 400, "version is required");
        await AssertProblemAsync(http, $"/models/{Model}/deprecate", """{"version":"1"}""", 409, "active");
    }

    [Fact]
    public async Task A_version_registered_on_one_replica_is_served_by_the_other_and_a_new_model_s_first_version_is_active_at_once()
    {
        await using var first = _host.Start();
        await using var second = _host.Start();
        using var a = await LifecycleHost.ReadyAsync(first);
        using var b = await LifecycleHost.ReadyAsync(second);

        var created = await LifecycleHost.PostAsync(a, "/models/register", """{"name":"tiny","version":"1.0","model_path":"wordnet-chat-1m","tags":["test"]}""", 201);
        Assert.True(created.GetProperty("default").GetBoolean());
        Assert.Equal("tiny:1.0", await LifecycleHost.AnsweredByAsync(a, "tiny", "u"));

        // The other replica reads it from the shared database on its next refresh, loads it and routes the name to it.
        Assert.Equal("tiny:1.0", await Eventually.HoldsAsync(() => LifecycleHost.TryAnsweredByAsync(b, "tiny", "u"), m => m == "tiny:1.0"));

        await LifecycleHost.PostAsync(b, "/models/register", """{"name":"tiny","version":"1.1","model_path":"wordnet-chat-1m"}""", 201);
        var deprecated = await LifecycleHost.PostAsync(b, "/models/tiny:1.1/deprecate", "{}");
        Assert.True(deprecated.GetProperty("deprecated").GetBoolean());
        await AssertProblemAsync(a, "/models/tiny/activate", """{"version":"1.1"}""", 409, "deprecated");
    }

    [Fact]
    public async Task The_metrics_of_a_model_count_its_calls_tokens_errors_and_cost_per_version()
    {
        await using var api = _host.Start(b =>
        {
            b.UseSetting($"Inference:Pricing:{Model}:InputPerMillion", "2");
            b.UseSetting($"Inference:Pricing:{Model}:OutputPerMillion", "10");
        });
        using var http = await LifecycleHost.ReadyAsync(api);
        for (var i = 0; i < 3; i++)
        {
            await LifecycleHost.AnsweredByAsync(http, Model, "u");
        }

        var metrics = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/models/{Model}/metrics?period=total"),
            m => m.GetProperty("periods").GetArrayLength() == 1 && m.GetProperty("periods")[0].GetProperty("metrics").GetProperty("requests_count").GetInt32() == 3);
        var values = metrics.GetProperty("periods")[0].GetProperty("metrics");
        var input = values.GetProperty("tokens_input").GetInt64();
        var output = values.GetProperty("tokens_output").GetInt64();
        Assert.Equal(6, output); // max_tokens 2, three times
        Assert.True(input > 0);
        Assert.Equal(0, values.GetProperty("error_rate").GetDouble());
        Assert.Equal(0, values.GetProperty("fallback_rate").GetDouble());
        Assert.Equal(((input * 2m) + (output * 10m)) / 1_000_000m, Math.Round(values.GetProperty("estimated_cost").GetDecimal(), 6));
        Assert.Equal("1", metrics.GetProperty("periods")[0].GetProperty("version").GetString());

        using var hourly = await http.GetAsync($"/api/models/{Model}/metrics?period=week");
        Assert.Equal(400, (int)hourly.StatusCode);
        using var missing = await http.GetAsync("/api/models/nothing/metrics");
        Assert.Equal(404, (int)missing.StatusCode);
    }

    internal static async Task AssertProblemAsync(HttpClient http, string path, string body, int status, string detail)
    {
        using var response = await http.PostAsync(path, OpenAIClientTests.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{path}: expected {status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
