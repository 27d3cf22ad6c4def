using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// A rolling deployment across two Workers told apart only by their names on NATS (as behind an AppHost's proxy):
/// the gateway addresses each as <c>nats://server/replicas/NAME/</c>, loads the new version on one at a time through
/// the replica's own routes carried over NATS, probes it on the replica's own subject, and routes each replica's share
/// there; the deployment completes on both.
/// </summary>
public sealed class NatsRollingDeploymentTests : IAsyncLifetime, IDisposable
{
    private const string Model = LifecycleHost.Model;
    private const string Gguf = "wordnet-chat-1m-gguf/wordnet-chat-1m.F32.gguf";
    private readonly NatsServer _nats = new();
    private readonly LifecycleHost _host = new();
    private ServiceProcess _first = null!;
    private ServiceProcess _second = null!;

    public async Task InitializeAsync()
    {
        await _nats.InitializeAsync();
        var workers = await Task.WhenAll(StartWorkerAsync("worker-a"), StartWorkerAsync("worker-b"));
        (_first, _second) = (workers[0], workers[1]);
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _nats.DisposeAsync();
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_version_rolls_out_over_nats_to_one_named_replica_at_a_time_and_completes_on_both()
    {
        await using var api = _host.Start(b =>
        {
            b.UseSetting($"Inference:Remote:{Model}:Provider", "worker");
            b.UseSetting($"Inference:Remote:{Model}:Replicas:0", Replica("worker-a"));
            b.UseSetting($"Inference:Remote:{Model}:Replicas:1", Replica("worker-b"));
            b.UseSetting("Inference:Deployments:ReplicaTimeout", "00:01:00");
            b.UseSetting("Inference:Deployments:ResumeInterval", "00:00:01");
        }, serveModel: false);
        using var http = await LifecycleHost.ReadyAsync(api);
        Assert.Equal(Model, await LifecycleHost.AnsweredByAsync(http, Model, "u"));

        await LifecycleHost.PostAsync(http, "/models/register", $$"""{"name":"{{Model}}","version":"2","model_path":"{{Gguf}}","provider":"worker"}""", 201);
        var started = await LifecycleHost.PostAsync(http, $"/models/{Model}/deploy", """{"version":"2","strategy":"rolling","step_interval_seconds":600}""", 201);
        var id = started.GetProperty("id").GetString();

        // The first named replica loads it (over NATS), passes its checks and takes half of the traffic.
        var half = await Eventually.HoldsAsync(() => DeploymentAsync(http, id), d => d.GetProperty("ready_replicas").GetArrayLength() == 1 || d.GetProperty("status").GetString() != "in_progress");
        Assert.True(half.GetProperty("status").GetString() == "in_progress", half.ToString());
        Assert.Equal(Replica("worker-a"), half.GetProperty("ready_replicas")[0].GetString());
        Assert.Contains($"{Model}:2", await WorkerModelsAsync(_first));
        Assert.DoesNotContain($"{Model}:2", await WorkerModelsAsync(_second));
        var answers = new List<string>();
        for (var caller = 0; caller < 40; caller++)
        {
            answers.Add(await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}"));
        }

        Assert.Contains($"{Model}:2", answers);
        Assert.Contains(Model, answers);

        // Promoted: the second replica follows, and every caller gets the new version.
        await LifecycleHost.PostAsync(http, $"/deployments/{id}/promote", "{}");
        var done = await Eventually.HoldsAsync(() => DeploymentAsync(http, id), d => d.GetProperty("status").GetString() != "in_progress");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal([Replica("worker-a"), Replica("worker-b")], done.GetProperty("ready_replicas").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Contains($"{Model}:2", await WorkerModelsAsync(_second));
        for (var caller = 0; caller < 6; caller++)
        {
            Assert.Equal($"{Model}:2", await LifecycleHost.AnsweredByAsync(http, Model, $"caller-{caller}"));
        }
    }

    private string Replica(string name) => $"{_nats.ConnectionString}/replicas/{name}/";

    private async Task<ServiceProcess> StartWorkerAsync(string replica) => await ServiceProcess.StartAsync("Inference.Worker", new Dictionary<string, string>
    {
        ["Inference__ModelsDirectory"] = InferenceApiFixture.ModelsRoot,
        [$"Inference__Models__{Model}__Path"] = "wordnet-chat-1m",
        ["ConnectionStrings__nats"] = _nats.ConnectionString,
        ["Inference__Nats__Replica"] = replica,
    });

    private static async Task<JsonElement> DeploymentAsync(HttpClient http, string? id) => await http.GetFromJsonAsync<JsonElement>($"/deployments/{id}");

    private static async Task<List<string>> WorkerModelsAsync(ServiceProcess worker)
    {
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        return [.. list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }
}
