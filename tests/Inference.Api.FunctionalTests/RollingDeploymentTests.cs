using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Rolling deployments across two real Worker processes addressed one by one: the new version (the same trained model
/// as a GGUF file) is loaded on one replica at a time, each ready and answering before it takes its share of the
/// traffic; the replica that moved stops taking the old version's calls; a replica that cannot load it, or is gone,
/// rolls the deployment back and the version is unloaded everywhere.
/// </summary>
public sealed class RollingDeploymentTests : IAsyncLifetime, IDisposable
{
    private const string Model = LifecycleHost.Model;
    private const string Gguf = "wordnet-chat-1m-gguf/wordnet-chat-1m.F32.gguf";
    private readonly LifecycleHost _host = new();
    private ServiceProcess _first = null!;
    private ServiceProcess _second = null!;

    public async Task InitializeAsync()
    {
        var workers = await Task.WhenAll(StartWorkerAsync(), StartWorkerAsync());
        (_first, _second) = (workers[0], workers[1]);
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_version_rolls_out_one_replica_at_a_time_each_ready_before_it_takes_traffic_and_rolls_back_everywhere()
    {
        await using var api = Api();
        using var http = await LifecycleHost.ReadyAsync(api);
        Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, "u"));

        // Registered to be loaded by the Workers: no replica serves it until a rolling deployment reaches one.
        await LifecycleHost.PostAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"2","model_path":"{{Gguf}}","provider":"worker"}""", 201);
        using (var pinned = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json($$"""{"model":"{{Model}}:2","use_fallbacks":false,"messages":[{"role":"user","content":"dog"}]}""")))
        {
            await BadInputTests.AssertError(pinned, 503, null, "model_not_ready");
            Assert.Equal(TimeSpan.FromSeconds(1), pinned.Headers.RetryAfter?.Delta);
        }

        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"2","strategy":"blue-green"}""", 409, "strategy rolling");

        var started = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy", """{"version":"2","strategy":"rolling","step_interval_seconds":600}""", 201);
        var id = started.GetProperty("id").GetString();
        Assert.Equal("in_progress", started.GetProperty("status").GetString());

        // The first replica loads it, passes its checks and takes half of the traffic; the second pauses.
        var half = await Eventually.HoldsAsync(() => DeploymentAsync(http, id), d => d.GetProperty("ready_replicas").GetArrayLength() == 1);
        Assert.Equal(50, half.GetProperty("percent").GetDouble());
        Assert.Equal(Replica(_first), half.GetProperty("ready_replicas")[0].GetString());
        Assert.Contains($"{Model}:2", await WorkerModelsAsync(_first));
        Assert.DoesNotContain($"{Model}:2", await WorkerModelsAsync(_second));
        Assert.Equal(0.5, await LifecycleHost.MetricAsync(http, "ml_inference_traffic_share", $"experiment=\"{id}\"", "arm=\"canary\""), 1e-9);

        // Callers split by their hash (200 callers: within 4 standard deviations of half); the moved replica takes
        // none of the old version's calls, the other takes all of them.
        var firstOld = await WorkerRequestsAsync(_first, Model);
        var secondOld = await WorkerRequestsAsync(_second, Model);
        const int Callers = 200;
        var answers = new List<string>();
        for (var caller = 0; caller < Callers; caller++)
        {
            answers.Add(await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}"));
        }

        Assert.All(answers, a => Assert.Contains(a, new[] { Model, $"{Model}:2" }));
        Assert.InRange(answers.Count(a => a == $"{Model}:2") / (double)Callers, 0.36, 0.64);
        var old = answers.Count(a => a == Model);
        await Eventually.HoldsAsync(() => WorkerRequestsAsync(_second, Model), n => n >= secondOld + old);
        Assert.Equal(firstOld, await WorkerRequestsAsync(_first, Model));

        // Promote cuts the pause short: the second replica follows and the deployment completes.
        await LifecycleHost.PostAsync(http, $"/deployments/{id}/promote", "{}");
        var done = await Eventually.HoldsAsync(() => DeploymentAsync(http, id), d => d.GetProperty("status").GetString() != "in_progress");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal([Replica(_first), Replica(_second)], done.GetProperty("ready_replicas").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(["started", "replica_ready", "promoted", "replica_ready", "completed"], done.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("event").GetString()!).ToArray());
        Assert.Contains($"{Model}:2", await WorkerModelsAsync(_second));
        for (var caller = 0; caller < 10; caller++)
        {
            Assert.Equal($"{Model}:2", await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}"));
        }

        var versions = await http.GetFromJsonAsync<JsonElement>($"/models/{Model}");
        Assert.Equal("2", versions.GetProperty("active_version").GetString());

        // Each replica has a breaker of its own.
        var breakers = await http.GetFromJsonAsync<JsonElement>("/circuit-breaker/status");
        var endpoints = breakers.GetProperty("breakers").EnumerateArray().Select(b => b.GetProperty("endpoint").GetString()).ToList();
        Assert.Contains(Replica(_first) + "v1", endpoints);
        Assert.Contains(Replica(_second) + "v1", endpoints);

        // A replica that restarts has only its configured model: the other answers meanwhile, and the registry
        // loads the rolled-out version on it again.
        var port = _first.BaseAddress.Port;
        await _first.DisposeAsync();
        Assert.Equal($"{Model}:2", await LifecycleHost.AnsweredByAsync(http, Model, "caller-1"));
        _first = await StartWorkerAsync(port);
        await Eventually.HoldsAsync(() => WorkerModelsAsync(_first), models => models.Contains($"{Model}:2"));
        for (var caller = 0; caller < 4; caller++)
        {
            Assert.Equal($"{Model}:2", await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}"));
        }

        // Rolled back: the old version answers again, and no Worker keeps the new one loaded.
        var rolledBack = await LifecycleHost.PostAsync(http, $"/deployments/{id}/rollback", "{}");
        Assert.Equal("rolled_back", rolledBack.GetProperty("status").GetString());
        Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, "caller-1"));
        Assert.DoesNotContain($"{Model}:2", await WorkerModelsAsync(_first));
        Assert.DoesNotContain($"{Model}:2", await WorkerModelsAsync(_second));
    }

    [Fact]
    public async Task A_replica_that_cannot_load_the_version_or_is_gone_rolls_the_deployment_back()
    {
        await using var api = Api();
        using var http = await LifecycleHost.ReadyAsync(api);

        // Not a model: the first replica refuses it with the engine's reason, and nothing moves.
        await LifecycleHost.PostAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"bad","model_path":"wordnet-chat-1m/README.md","provider":"worker"}""", 201);
        var bad = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy", """{"version":"bad","strategy":"rolling"}""", 201);
        var failed = await Eventually.HoldsAsync(() => DeploymentAsync(http, bad.GetProperty("id").GetString()), d => d.GetProperty("status").GetString() != "in_progress");
        Assert.Equal("rolled_back", failed.GetProperty("status").GetString());
        var reason = failed.GetProperty("reason").GetString()!;
        Assert.StartsWith($"Replica {_first.BaseAddress.Authority}: loading {Model}:bad answered 400", reason, StringComparison.Ordinal);
        Assert.Contains("README.md", reason, StringComparison.Ordinal);
        Assert.Empty(failed.GetProperty("ready_replicas").EnumerateArray());
        Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, "u"));

        // The second replica dies after the first has moved: the deployment rolls back and the first unloads it.
        await LifecycleHost.PostAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"3","model_path":"{{Gguf}}","provider":"worker"}""", 201);
        var started = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy", """{"version":"3","strategy":"rolling","step_interval_seconds":600}""", 201);
        var id = started.GetProperty("id").GetString();
        await Eventually.HoldsAsync(() => DeploymentAsync(http, id), d => d.GetProperty("ready_replicas").GetArrayLength() == 1);
        Assert.Contains($"{Model}:3", await WorkerModelsAsync(_first));
        await _second.DisposeAsync();
        await LifecycleHost.PostAsync(http, $"/deployments/{id}/promote", "{}");
        var gone = await Eventually.HoldsAsync(() => DeploymentAsync(http, id), d => d.GetProperty("status").GetString() != "in_progress");
        Assert.Equal("rolled_back", gone.GetProperty("status").GetString());
        Assert.StartsWith($"Replica {_second.BaseAddress.Authority}: ", gone.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain($"{Model}:3", await WorkerModelsAsync(_first));
        Assert.Equal("1", (await http.GetFromJsonAsync<JsonElement>($"/models/{Model}")).GetProperty("active_version").GetString());

        // The old version stays served: the live replica takes the calls the dead one cannot.
        for (var caller = 0; caller < 6; caller++)
        {
            Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}"));
        }

        // Streams too: a stream whose turn falls on the dead replica moves on before its first part.
        for (var caller = 0; caller < 4; caller++)
        {
            using var stream = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json($$"""{"model":"{{Model}}","stream":true,"max_tokens":3,"messages":[{"role":"user","content":"dog"}]}"""));
            var text = await stream.Content.ReadAsStringAsync();
            Assert.True(stream.IsSuccessStatusCode, text);
            Assert.Contains($"\"model\":\"{Model}\"", text, StringComparison.Ordinal);
            Assert.EndsWith("data: [DONE]", text.Trim(), StringComparison.Ordinal);
        }

        // Monitoring sees each replica as a service of its own.
        var services = await Eventually.HoldsAsync(() => http.GetFromJsonAsync<JsonElement>("/api/services"), s => StatusOf(s, _second) == "offline");
        Assert.Equal("online", StatusOf(services, _first));
    }

    [Fact]
    public async Task A_worker_loads_and_unloads_models_at_run_time_and_refuses_bad_loads()
    {
        using var http = new HttpClient { BaseAddress = _first.BaseAddress };
        using (var missing = await http.PutAsync("/admin/models/extra", OpenAIClientTests.Json("{}")))
        {
            Assert.Equal(400, (int)missing.StatusCode);
            Assert.Contains("model_path is required", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var kind = await http.PutAsync("/admin/models/extra", OpenAIClientTests.Json($$"""{"model_path":"{{Gguf}}","kind":"vision"}""")))
        {
            Assert.Equal(400, (int)kind.StatusCode);
        }

        using (var taken = await http.PutAsync($"/admin/models/{Model}", OpenAIClientTests.Json($$"""{"model_path":"{{Gguf}}"}""")))
        {
            Assert.Equal(409, (int)taken.StatusCode);
            Assert.Contains("configuration", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var created = await http.PutAsync("/admin/models/extra", OpenAIClientTests.Json($$"""{"model_path":"{{Gguf}}"}""")))
        {
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(201, (int)created.StatusCode);
            Assert.Equal(("extra", "chat", "gguf"), (body.GetProperty("id").GetString(), body.GetProperty("kind").GetString(), body.GetProperty("format").GetString()));
        }

        // Loading it again from the same file is a no-op; from another file, a conflict.
        using (var again = await http.PutAsync("/admin/models/extra", OpenAIClientTests.Json($$"""{"model_path":"{{Gguf}}"}""")))
        {
            Assert.Equal(200, (int)again.StatusCode);
        }

        using (var other = await http.PutAsync("/admin/models/extra", OpenAIClientTests.Json("""{"model_path":"wordnet-chat-1m-gguf/wordnet-chat-1m.Q8_0.gguf"}""")))
        {
            Assert.Equal(409, (int)other.StatusCode);
        }

        Assert.Contains("extra", await WorkerModelsAsync(_first));
        using (var answer = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json("""{"model":"extra","max_tokens":2,"messages":[{"role":"user","content":"dog"}]}""")))
        {
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        using (var unloaded = await http.DeleteAsync("/admin/models/extra"))
        {
            Assert.Equal(204, (int)unloaded.StatusCode);
        }

        Assert.DoesNotContain("extra", await WorkerModelsAsync(_first));
        using var gone = await http.DeleteAsync("/admin/models/extra");
        Assert.Equal(404, (int)gone.StatusCode);
        using var configured = await http.DeleteAsync($"/admin/models/{Model}");
        Assert.Equal(404, (int)configured.StatusCode);
    }

    [Fact]
    public async Task Rolling_needs_a_model_with_worker_replicas_and_a_version_the_workers_load()
    {
        // "dictionary" served in this process: no replicas to roll across.
        await using var api = _host.Start();
        using var http = await LifecycleHost.ReadyAsync(api);
        await RegistryLifecycleTests.AssertProblemAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"9","model_path":"{{Gguf}}","provider":"worker"}""", 400, "has none");
        await LifecycleHost.PostAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"9","model_path":"{{Gguf}}"}""", 201);
        await RegistryLifecycleTests.AssertProblemAsync(http, $"/models/{Model}/deploy", """{"version":"9","strategy":"rolling"}""", 400, "Worker replicas");

        // With replicas, a version served another way is not one to roll out.
        await using var replicated = Api();
        using var other = await LifecycleHost.ReadyAsync(replicated);
        await RegistryLifecycleTests.AssertProblemAsync(other, $"/models/{Model}/deploy", """{"version":"9","strategy":"rolling"}""", 400, "not loaded by Workers");
    }

    private static async Task<ServiceProcess> StartWorkerAsync(int? port = null) => await ServiceProcess.StartAsync("Inference.Worker", new Dictionary<string, string>
    {
        ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
        [$"Inference__Models__{Model}__Path"] = "wordnet-chat-1m",
    }, port);

    private static string Replica(ServiceProcess worker) => worker.BaseAddress.GetLeftPart(UriPartial.Authority) + "/";

    private static string? StatusOf(JsonElement services, ServiceProcess worker) => services.GetProperty("services").EnumerateArray()
        .Where(s => s.GetProperty("name").GetString() == $"worker ({worker.BaseAddress.Authority})")
        .Select(s => s.GetProperty("status").GetString())
        .FirstOrDefault();

    private static async Task<JsonElement> DeploymentAsync(HttpClient http, string? id) => await http.GetFromJsonAsync<JsonElement>($"/deployments/{id}");

    private static async Task<List<string>> WorkerModelsAsync(ServiceProcess worker)
    {
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        return [.. list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    /// <summary>The calls a Worker has answered for <paramref name="model"/>, from its own /metrics.</summary>
    internal static async Task<double> WorkerRequestsAsync(ServiceProcess worker, string model)
    {
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        return (await http.GetStringAsync("/metrics")).Split('\n')
            .Where(l => l.StartsWith("ml_inference_requests_total{", StringComparison.Ordinal) && l.Contains($"model=\"{model}\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private WebApplicationFactory<Program> Api() => _host.Start(b =>
    {
        b.UseSetting($"Inference:Remote:{Model}:Provider", "worker");
        b.UseSetting($"Inference:Remote:{Model}:Replicas:0", Replica(_first));
        b.UseSetting($"Inference:Remote:{Model}:Replicas:1", Replica(_second));
        b.UseSetting("Inference:Deployments:ReplicaTimeout", "00:01:00");
        b.UseSetting("Inference:Deployments:ResumeInterval", "00:00:01");
    }, serveModel: false);
}
