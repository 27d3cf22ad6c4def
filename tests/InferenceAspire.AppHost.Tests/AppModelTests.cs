using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace InferenceAspire.AppHost.Tests;

public sealed class AppModelTests
{
    [Fact]
    public async Task The_platform_has_its_resources_references_waits_endpoints_and_parameters()
    {
        await using var model = await AppModel.BuildAsync(args: ["--Parameters:worker-replicas=3"]);

        Assert.Equal(
            ["api", "cache", "embeddings", "metadata", "models-dir", "nats", "nats-server", "postgres", "worker"],
            model.Resources.Where(r => r is not ParameterResource || r.Name == "models-dir").Select(r => r.Name).Order(StringComparer.Ordinal));
        model.Get<RedisResource>("cache");
        Assert.Equal("postgres", model.Get<PostgresDatabaseResource>("metadata").Parent.Name);
        Assert.Equal("metadata", model.Get<PostgresDatabaseResource>("metadata").DatabaseName);

        var api = model.Get<ProjectResource>("api");
        // Waiting for the database waits for its server too.
        Assert.Equal(["cache", "embeddings", "metadata", "nats-server", "postgres", "worker"], Names(api.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource)));
        Assert.Equal(["admin-key", "cache", "embeddings", "metadata", "nats", "worker"],
            Names(api.Annotations.OfType<ResourceRelationshipAnnotation>().Where(r => r.Type == "Reference").Select(r => r.Resource)));
        var apiHttp = Assert.Single(api.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http");
        Assert.True(apiHttp.IsExternal);

        Assert.Equal(3, Assert.Single(model["worker"].Annotations.OfType<ReplicaAnnotation>()).Replicas);
        // Every service answers its models on NATS, and waits for the server; the Api reaches the Worker's replicas there.
        foreach (var service in new[] { "worker", "embeddings" })
        {
            Assert.Contains(model[service].Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Type == "Reference" && r.Resource.Name == "nats");
            Assert.Contains(model[service].Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "nats-server");
        }

        Assert.Contains(model["nats-server"].Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target == "/data");
        Assert.NotEmpty(model["nats-server"].Annotations.OfType<HealthCheckAnnotation>());
        foreach (var service in new[] { "api", "worker", "embeddings" })
        {
            Assert.NotEmpty(model[service].Annotations.OfType<HealthCheckAnnotation>());
            Assert.Contains(model[service].Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http" && e.UriScheme == "http");
        }

        // Redis and PostgreSQL keep their data in volumes.
        Assert.Contains(model["cache"].Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target == "/data");
        Assert.Contains(model["postgres"].Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target == "/var/lib/postgresql");
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, "nats")]
    public async Task Worker_replicas_are_reached_through_their_nats_queue_group(int replicas, string? transport)
    {
        await using var model = await AppModel.BuildAsync(publish: true, args: [$"--Parameters:worker-replicas={replicas}"]);

        var api = await model.EnvironmentAsync("api", publish: true);
        Assert.Equal("{nats.connectionString}", api["ConnectionStrings__nats"]);
        Assert.Equal("{nats.connectionString}", (await model.EnvironmentAsync("worker", publish: true))["ConnectionStrings__nats"]);
        Assert.Equal(transport, api.GetValueOrDefault("Inference__Discovery__WorkerTransport"));
        Assert.Equal(transport is null ? null : replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), api.GetValueOrDefault("Inference__Discovery__WorkerReplicas"));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("ollama")]
    [InlineData("openai")]
    public async Task Each_chat_provider_choice_gives_the_api_the_environment_it_reads(string provider)
    {
        await using var model = await AppModel.BuildAsync(publish: true, args: [$"--Parameters:chat-provider={provider}"]);

        var api = await model.EnvironmentAsync("api", publish: true);
        Assert.Equal("{cache.connectionString}", api["ConnectionStrings__cache"]);
        Assert.Equal("{metadata.connectionString}", api["ConnectionStrings__metadata"]);
        Assert.Equal("{embeddings.bindings.http.url}", api["services__embeddings__http__0"]);
        Assert.Equal("false", api["Inference__ServeLocalModels"]);
        // The Api asks for keys; its bootstrap admin key is a secret parameter azd generates.
        Assert.Equal("true", api["Inference__Auth__Enabled"]);
        Assert.Equal("{admin-key.value}", api["Inference__Auth__AdminKey"]);
        Assert.True(model.Get<ParameterResource>("admin-key").Secret);
        Assert.Equal("{models-dir.value}", (await model.EnvironmentAsync("embeddings", publish: true))["INFERENCE_MODELS_DIR"]);

        switch (provider)
        {
            case "local":
                Assert.Equal("{worker.bindings.http.url}", api["services__worker__http__0"]);
                Assert.Equal("{models-dir.value}", (await model.EnvironmentAsync("worker", publish: true))["INFERENCE_MODELS_DIR"]);
                Assert.DoesNotContain(model.Resources, r => r.Name is "ollama" or "chat");
                break;
            case "ollama":
                Assert.DoesNotContain(model.Resources, r => r.Name == "worker");
                Assert.DoesNotContain("services__worker__http__0", api.Keys);
                Assert.Equal("{chat.connectionString}", api["ConnectionStrings__chat"]);
                Assert.Equal("ollama", api["Inference__Remote__llama3.2__Provider"]);
                Assert.Equal("chat", api["Inference__Remote__llama3.2__ConnectionName"]);
                var ollama = model.Get<ContainerResource>("ollama");
                Assert.Contains(ollama.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target == "/root/.ollama");
                Assert.Equal("Endpoint={ollama.bindings.http.url};Model=llama3.2",
                    model.Get<IResourceWithConnectionString>("chat").ConnectionStringExpression.ValueExpression);
                break;
            case "openai":
                Assert.DoesNotContain(model.Resources, r => r.Name is "worker" or "ollama");
                Assert.Equal("openai", api["Inference__Remote__gpt-4o-mini__Provider"]);
                Assert.Equal("{chat.connectionString}", api["ConnectionStrings__chat"]);
                Assert.True(model.Get<ParameterResource>("openai-key").Secret);
                Assert.False(model.Get<ParameterResource>("openai-endpoint").Secret);
                Assert.Equal("Endpoint={openai-endpoint.value};Key={openai-key.value};Model=gpt-4o-mini",
                    model.Get<IResourceWithConnectionString>("chat").ConnectionStringExpression.ValueExpression);
                break;
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("ollama")]
    [InlineData("openai")]
    public async Task In_run_mode_the_services_get_the_allocated_addresses(string provider)
    {
        await using var model = await AppModel.BuildAsync(args:
        [
            "--Parameters:models-dir=/tmp", $"--Parameters:chat-provider={provider}",
            "--Parameters:openai-endpoint=https://api.example.test/v1", "--Parameters:openai-key=sk-test",
        ]);
        var ports = new Dictionary<string, int> { ["cache"] = 16379, ["postgres"] = 15432, ["nats-server"] = 14222, ["embeddings"] = 15102, ["worker"] = 15101, ["api"] = 15000, ["ollama"] = 11434 };
        model.AllocateEndpoints((resource, endpoint) => ports[resource.Name] + (endpoint.Name == "https" ? 1000 : 0));

        var api = await model.EnvironmentAsync("api");
        Assert.Matches(@"^127\.0\.0\.1:16379,password=\S+$", api["ConnectionStrings__cache"]);
        Assert.Matches(@"^Host=127\.0\.0\.1;Port=15432;Username=postgres;Password=\S+;Database=metadata$", api["ConnectionStrings__metadata"]);
        Assert.Equal("http://127.0.0.1:15102", api["services__embeddings__http__0"]);
        Assert.Equal("nats://127.0.0.1:14222", api["ConnectionStrings__nats"]);
        Assert.Equal("nats://127.0.0.1:14222", (await model.EnvironmentAsync("embeddings"))["ConnectionStrings__nats"]);
        Assert.Equal("/tmp", (await model.EnvironmentAsync("embeddings"))["INFERENCE_MODELS_DIR"]);
        switch (provider)
        {
            case "local":
                Assert.Equal("http://127.0.0.1:15101", api["services__worker__http__0"]);
                Assert.Equal("/tmp", (await model.EnvironmentAsync("worker"))["INFERENCE_MODELS_DIR"]);
                break;
            case "ollama":
                Assert.Equal("Endpoint=http://127.0.0.1:11434;Model=llama3.2", api["ConnectionStrings__chat"]);
                break;
            case "openai":
                Assert.Equal("Endpoint=https://api.example.test/v1;Key=sk-test;Model=gpt-4o-mini", api["ConnectionStrings__chat"]);
                break;
        }
    }

    [Fact]
    public async Task Without_containers_redis_and_postgres_are_local_executables_initialised_once_and_health_checked()
    {
        var data = Directory.CreateTempSubdirectory("local-data-");
        try
        {
            await using var model = await AppModel.BuildAsync(args: ["--Parameters:servers=local", $"--Parameters:local-data={data.FullName}"]);

            var redis = model.Get<ExecutableResource>("redis");
            var postgres = model.Get<ExecutableResource>("postgres");
            var initialise = model.Get<ExecutableResource>("postgres-init");
            Assert.DoesNotContain(model.Resources, r => r is ContainerResource);
            Assert.Equal("redis-server", Path.GetFileName(redis.Command));
            Assert.NotEmpty(redis.Annotations.OfType<HealthCheckAnnotation>());
            Assert.NotEmpty(postgres.Annotations.OfType<HealthCheckAnnotation>());
            Assert.Contains(postgres.Annotations.OfType<WaitAnnotation>(), w => w.Resource == initialise && w.WaitType == WaitType.WaitForCompletion);
            Assert.True(Directory.Exists(Path.Combine(data.FullName, "redis")));

            var api = model.Get<ProjectResource>("api");
            Assert.Equal(["embeddings", "nats-server", "postgres", "redis", "worker"], Names(api.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource)));
            var nats = model.Get<ExecutableResource>("nats-server");
            Assert.Equal("nats-server", Path.GetFileName(nats.Command));
            Assert.NotEmpty(nats.Annotations.OfType<HealthCheckAnnotation>());
            Assert.True(Directory.Exists(Path.Combine(data.FullName, "nats")));

            var ports = new Dictionary<string, int> { ["redis"] = 16379, ["postgres"] = 15432, ["nats-server"] = 14222, ["embeddings"] = 15102, ["worker"] = 15101, ["api"] = 15000 };
            model.AllocateEndpoints((resource, endpoint) => ports[resource.Name] + (endpoint.Name == "https" ? 1000 : 0));
            var environment = await model.EnvironmentAsync("api");
            Assert.Equal("127.0.0.1:16379", environment["ConnectionStrings__cache"]);
            Assert.Equal("Host=127.0.0.1;Port=15432;Username=postgres;Database=metadata", environment["ConnectionStrings__metadata"]);
            Assert.Equal("nats://127.0.0.1:14222", environment["ConnectionStrings__nats"]);
            var natsArguments = await ArgumentsAsync(nats);
            Assert.Equal(("127.0.0.1", "14222"), (natsArguments[natsArguments.IndexOf("-a") + 1], natsArguments[natsArguments.IndexOf("-p") + 1]));
            Assert.Contains("-js", natsArguments);
            Assert.Equal(Path.Combine(data.FullName, "nats"), natsArguments[natsArguments.IndexOf("-sd") + 1]);

            // initdb runs only while the data directory has no PG_VERSION; the servers listen on loopback only.
            var script = string.Join(' ', await ArgumentsAsync(initialise));
            Assert.Contains($"if [ ! -f '{Path.Combine(data.FullName, "postgres")}/PG_VERSION' ]", script, StringComparison.Ordinal);
            Assert.Contains("listen_addresses=127.0.0.1", await ArgumentsAsync(postgres));
            var redisArguments = await ArgumentsAsync(redis);
            Assert.Equal("127.0.0.1", redisArguments[redisArguments.IndexOf("--bind") + 1]);
            Assert.Equal("16379", redisArguments[redisArguments.IndexOf("--port") + 1]);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Existing_servers_are_used_by_their_connection_strings()
    {
        await using var model = await AppModel.BuildAsync(args:
        [
            "--Parameters:servers=existing", "--ConnectionStrings:cache=redis.internal:6380,password=p,ssl=true",
            "--ConnectionStrings:metadata=Host=db.internal;Database=inference;Username=svc;Password=q",
            "--ConnectionStrings:nats=nats://nats.internal:4222",
        ]);

        Assert.DoesNotContain(model.Resources, r => r is ContainerResource || r is ExecutableResource);
        model.AllocateEndpoints((_, endpoint) => endpoint.Name == "https" ? 16000 : 15000);
        var environment = await model.EnvironmentAsync("api");
        Assert.Equal("redis.internal:6380,password=p,ssl=true", environment["ConnectionStrings__cache"]);
        Assert.Equal("Host=db.internal;Database=inference;Username=svc;Password=q", environment["ConnectionStrings__metadata"]);
        Assert.Equal("nats://nats.internal:4222", environment["ConnectionStrings__nats"]);
    }

    [Fact]
    public async Task Each_service_links_its_dashboard_and_metrics_has_its_commands_and_gets_prompt_text_in_spans_only_when_asked()
    {
        await using var model = await AppModel.BuildAsync(args: ["--Parameters:telemetry-content=true"]);
        foreach (var service in new[] { "api", "worker", "embeddings" })
        {
            Assert.Equal(["active-alerts", "open-dashboard"], model[service].Annotations.OfType<ResourceCommandAnnotation>()
                .Select(c => c.Name).Where(n => n is "active-alerts" or "open-dashboard").Order(StringComparer.Ordinal));
            Assert.NotEmpty(model[service].Annotations.OfType<ResourceUrlsCallbackAnnotation>());
        }

        model.AllocateEndpoints((_, endpoint) => endpoint.Name == "https" ? 16000 : 15000);
        Assert.Equal("true", (await model.EnvironmentAsync("worker"))["Inference__Telemetry__IncludeContent"]);
        await using var plain = await AppModel.BuildAsync();
        plain.AllocateEndpoints((_, endpoint) => endpoint.Name == "https" ? 16000 : 15000);
        Assert.DoesNotContain("Inference__Telemetry__IncludeContent", (await plain.EnvironmentAsync("api")).Keys);
    }

    private static async Task<List<string>> ArgumentsAsync(IResource resource)
    {
#pragma warning disable CS0618 // As the orchestrator evaluates them, without it.
        var values = await ((IResourceWithArgs)resource).GetArgumentValuesAsync();
#pragma warning restore CS0618
        return [.. values];
    }

    private static IEnumerable<string> Names(IEnumerable<IResource> resources) => resources.Select(r => r.Name).Distinct().Order(StringComparer.Ordinal);
}
