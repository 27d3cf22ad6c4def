using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Per-key limits: requests a minute held across two Api replicas sharing one Redis, tokens a minute counted from what
/// requests really used, requests at once, a prompt's size, a budget that stops spending at its limit, and a limited
/// request overflowing to the key's overflow model; usage and cost per key from the audit log.
/// </summary>
public sealed class QuotaTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private const string Model = LifecycleHost.Model;
    private const string Cheap = "cheap";
    private const string AdminKey = "bootstrap-admin-key-0123456789";
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    private WebApplicationFactory<Program> Start(bool withRedis = false) => _host.Start(b =>
    {
        b.UseSetting("Inference:Auth:Enabled", "true");
        b.UseSetting("Inference:Auth:AdminKey", AdminKey);
        b.UseSetting($"Inference:Models:{Cheap}:Path", "wordnet-chat-1m");
        // A token of "dictionary" costs 0.001 (in and out); "cheap" is unpriced.
        b.UseSetting($"Inference:Pricing:{Model}:InputPerMillion", "1000");
        b.UseSetting($"Inference:Pricing:{Model}:OutputPerMillion", "1000");
        if (withRedis)
        {
            b.UseSetting("ConnectionStrings:cache", redis.ConnectionString);
        }
    });

    [Fact]
    public async Task A_requests_per_minute_limit_holds_within_5_percent_across_two_replicas_sharing_redis()
    {
        await redis.CommandAsync("FLUSHALL");
        await using var first = Start(withRedis: true);
        await using var second = Start(withRedis: true);
        using var admin = await AuthorizationTests.ReadyAsync(first, AdminKey);
        using var adminSecond = await AuthorizationTests.ReadyAsync(second, AdminKey);
        const int Limit = 60;
        var secret = await AuthorizationTests.CreateKeyAsync(admin, new { name = "burst", limits = new { requests_per_minute = Limit } });
        using var a = AuthorizationTests.Client(first, secret);
        using var b = AuthorizationTests.Client(second, secret);

        // Both replicas warmed up (with the admin key, which has no limits) so that neither is still compiling its
        // request path while the other takes the whole bucket.
        foreach (var warm in new[] { admin, adminSecond })
        {
            for (var i = 0; i < 3; i++)
            {
                using var response = await warm.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model, maxTokens: 1));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        // One request of the key on each replica first (each looks the key up once), counted with the burst.
        var clock = Stopwatch.StartNew();
        foreach (var replica in new[] { a, b })
        {
            using var response = await replica.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model, maxTokens: 1));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Concurrent waves of ten, five to each replica: within a wave the replicas race for the shared bucket; across
        // waves both keep taking part until it is empty (one burst of 180 could be taken by whichever replica's
        // requests happened to be scheduled first).
        var statuses = new List<(HttpStatusCode StatusCode, int Replica)>();
        for (var wave = 0; wave < 3 * Limit / 10; wave++)
        {
            statuses.AddRange(await Task.WhenAll(Enumerable.Range(wave * 10, 10).Select(Send)));
        }

        async Task<(HttpStatusCode StatusCode, int Replica)> Send(int i)
        {
            using var response = await (i % 2 == 0 ? a : b).PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model, maxTokens: 1));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a refusal says when to retry");
                Assert.Equal("rate_limit_exceeded", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
            }

            return (response.StatusCode, Replica: i % 2);
        }

        var elapsed = clock.Elapsed;

        // The bucket holds the limit and refills at the limit a minute: what the two replicas let through together.
        var accepted = statuses.Count(s => s.StatusCode == HttpStatusCode.OK) + 2;
        var allowed = Limit + (Limit * elapsed.TotalMinutes);
        Assert.True(Math.Abs(accepted - allowed) <= 0.05 * Limit, $"{accepted} accepted in {elapsed.TotalSeconds:0.0} s, {allowed:0.0} allowed");
        Assert.Equal(3 * Limit, statuses.Count(s => s.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        Assert.True(statuses.Count(s => s.StatusCode == HttpStatusCode.OK && s.Replica == 1) > Limit / 4, "both replicas took part");
        Assert.True(statuses.Count(s => s.StatusCode == HttpStatusCode.OK && s.Replica == 0) > Limit / 4, "both replicas took part");

        // OpenAI's headers on an answer.
        await Task.Delay(TimeSpan.FromSeconds(2));
        using var answered = await a.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model, maxTokens: 1));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(Limit.ToString(CultureInfo.InvariantCulture), answered.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.InRange(int.Parse(answered.Headers.GetValues("x-ratelimit-remaining-requests").Single(), CultureInfo.InvariantCulture), 0, 3);
        Assert.Matches("^[0-9.]+(ms|s)$|^[0-9]+m[0-9]+s$", answered.Headers.GetValues("x-ratelimit-reset-requests").Single());
    }

    [Fact]
    public async Task A_token_limit_counts_what_requests_used_not_what_they_might_have()
    {
        await using var api = Start();
        using var admin = await AuthorizationTests.ReadyAsync(api, AdminKey);
        const int Limit = 300;
        var secret = await AuthorizationTests.CreateKeyAsync(admin, new { name = "tokens", limits = new { tokens_per_minute = Limit } });
        using var http = AuthorizationTests.Client(api, secret);

        // Each asks for up to 200 tokens: reserved up front, so two could not fit in 300 if nothing came back. The model
        // stops after a short definition, and what it did not use is given back.
        const string Body = """{"model":"dictionary","temperature":0,"max_tokens":200,"messages":[{"role":"user","content":"What does \"cat\" mean?"}]}""";
        var estimate = (Body.Length / 4) + 200;
        using var first = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(Body));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var usage = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage");
        var used = usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32();
        Assert.True(used < estimate / 2, $"the answer used {used} of the {estimate} reserved");
        Assert.InRange(Remaining(first), Limit - estimate, Limit - estimate + 3);

        using var second = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(Body));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        // What the first used (not what it reserved) and the second's reservation, plus a little refill.
        Assert.InRange(Remaining(second), Limit - used - estimate, Limit - used - estimate + 10);

        using var third = await http.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(Body));
        await BadInputTests.AssertError(third, 429, null, "rate_limit_exceeded");
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.FromSeconds(1));
        Assert.Equal(Limit.ToString(CultureInfo.InvariantCulture), third.Headers.GetValues("x-ratelimit-limit-tokens").Single());

        // A prompt over the key's size limit is refused outright.
        var small = AuthorizationTests.Client(api, await AuthorizationTests.CreateKeyAsync(admin, new { name = "small", limits = new { max_prompt_tokens = 10 } }));
        await BadInputTests.AssertError(await small.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(Body)), 400, null, "prompt_too_large");

        static int Remaining(HttpResponseMessage response) => int.Parse(response.Headers.GetValues("x-ratelimit-remaining-tokens").Single(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_budget_stops_spending_at_its_limit_and_usage_and_cost_are_reported_per_key()
    {
        await using var api = Start();
        using var admin = await AuthorizationTests.ReadyAsync(api, AdminKey);
        const decimal Budget = 0.1m;
        var secret = await AuthorizationTests.CreateKeyAsync(admin, new { name = "spender", budget = new { amount = Budget, period = "day" } });
        using var http = AuthorizationTests.Client(api, secret);

        var answered = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await http.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model, maxTokens: 8));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                answered++;
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        var error = await BadInputTests.AssertError(refused, 429, null, "insufficient_quota");
        Assert.Contains("budget of 0.1 a day is spent", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(answered >= 2, $"{answered} answered before the budget ran out");

        // It stays refused; an unpriced model costs nothing and is still served.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model, maxTokens: 8))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Cheap, maxTokens: 8))).StatusCode);

        // The audit log's account of it: within the budget, every answered call counted.
        var cost = await Eventually.HoldsAsync(
            () => http.GetFromJsonAsync<JsonElement>("/api/metrics/cost?period=day"),
            c => c.GetProperty("costs").EnumerateArray().Where(r => r.GetProperty("model").GetString() == Model).Sum(r => r.GetProperty("requests").GetInt32()) == answered);
        var spent = cost.GetProperty("total_cost").GetDecimal();
        Assert.InRange(spent, 0.001m * answered, Budget);
        var projection = Assert.Single(cost.GetProperty("projections").EnumerateArray());
        Assert.Equal(Budget, projection.GetProperty("budget").GetDecimal());
        Assert.Equal(spent, projection.GetProperty("spent").GetDecimal());
        Assert.True(projection.GetProperty("projected").GetDecimal() >= spent);

        var usage = await http.GetFromJsonAsync<JsonElement>("/api/metrics/usage?period=hour");
        var rows = usage.GetProperty("usage").EnumerateArray().ToList();
        Assert.All(rows, r => Assert.Equal("spender", r.GetProperty("tenant").GetString()));
        var totals = usage.GetProperty("totals");
        Assert.Equal(answered + 1, totals.GetProperty("requests").GetInt32());
        Assert.Equal(totals.GetProperty("input_tokens").GetInt64() + totals.GetProperty("output_tokens").GetInt64(), totals.GetProperty("total_tokens").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/metrics/usage?period=fortnight")).StatusCode);
    }

    [Fact]
    public async Task A_registered_versions_price_is_charged_for_that_version_and_the_configured_price_for_the_others()
    {
        await using var api = Start();
        using var admin = await AuthorizationTests.ReadyAsync(api, AdminKey);

        // Prices out of range, or none named, are refused; version "premium" costs 2,000 in and 4,000 out per million.
        await LifecycleHost.PostAsync(admin, "/models/register", $$$"""{"name":"{{{Model}}}","version":"bad","model_path":"wordnet-chat-1m","pricing":{"input_per_million":-1}}""", 400);
        await LifecycleHost.PostAsync(admin, "/models/register", $$$"""{"name":"{{{Model}}}","version":"bad","model_path":"wordnet-chat-1m","pricing":{}}""", 400);
        var registered = await LifecycleHost.PostAsync(
            admin, "/models/register", $$$"""{"name":"{{{Model}}}","version":"premium","model_path":"wordnet-chat-1m","pricing":{"input_per_million":2000,"output_per_million":4000}}""", 201);
        Assert.Equal(2000m, registered.GetProperty("pricing").GetProperty("input_per_million").GetDecimal());
        Assert.Equal(4000m, registered.GetProperty("pricing").GetProperty("output_per_million").GetDecimal());

        // Calls to both versions through one key: the configured version "1" (1,000 a million) and "premium".
        var secret = await AuthorizationTests.CreateKeyAsync(admin, new { name = "buyer", budget = new { amount = 100m, period = "day" } });
        using var http = AuthorizationTests.Client(api, secret);
        foreach (var target in new[] { Model, $"{Model}:premium", $"{Model}:premium", Model, $"{Model}:premium" })
        {
            using var response = await http.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(target, maxTokens: 8));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Each version's tokens at its own price, in the model's metrics, the key's cost and its budget's spend.
        var metrics = await Eventually.HoldsAsync(
            () => admin.GetFromJsonAsync<JsonElement>($"/api/models/{Model}/metrics?period=total"),
            m => m.GetProperty("periods").EnumerateArray().Sum(p => p.GetProperty("metrics").GetProperty("requests_count").GetInt32()) == 5);
        var versions = metrics.GetProperty("periods").EnumerateArray().ToDictionary(p => p.GetProperty("version").GetString()!, p => p.GetProperty("metrics"));
        Assert.Equal(3, versions["premium"].GetProperty("requests_count").GetInt32());
        var premium = Cost(versions["premium"], 2000m, 4000m);
        var configured = Cost(versions["1"], 1000m, 1000m);
        Assert.True(premium > 0 && configured > 0);
        Assert.Equal(premium, versions["premium"].GetProperty("estimated_cost").GetDecimal());
        Assert.Equal(configured, versions["1"].GetProperty("estimated_cost").GetDecimal());

        var cost = await http.GetFromJsonAsync<JsonElement>("/api/metrics/cost?period=day");
        Assert.Equal(premium + configured, cost.GetProperty("total_cost").GetDecimal());
        Assert.Equal(premium + configured, Assert.Single(cost.GetProperty("projections").EnumerateArray()).GetProperty("spent").GetDecimal());

        // The registry shows the price with the version.
        var model = await admin.GetFromJsonAsync<JsonElement>($"/models/{Model}");
        var listed = model.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("version").GetString() == "premium");
        Assert.Equal(4000m, listed.GetProperty("pricing").GetProperty("output_per_million").GetDecimal());

        static decimal Cost(JsonElement metrics, decimal input, decimal output) =>
            ((metrics.GetProperty("tokens_input").GetInt64() * input) + (metrics.GetProperty("tokens_output").GetInt64() * output)) / 1_000_000m;
    }

    [Fact]
    public async Task A_limited_request_overflows_to_the_keys_overflow_model_and_concurrency_is_capped()
    {
        await using var api = Start();
        using var admin = await AuthorizationTests.ReadyAsync(api, AdminKey);
        var secret = await AuthorizationTests.CreateKeyAsync(admin, new { name = "overflowing", limits = new { requests_per_minute = 2 }, overflow_model = Cheap });
        using var http = AuthorizationTests.Client(api, secret);

        var models = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await http.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            models.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model").GetString()!);
            Assert.Equal(i >= 2, response.Headers.Contains("x-inference-overflow"));
        }

        Assert.Equal([Model, Model, Cheap, Cheap], models);

        // One request at a time: of several long ones sent together, those arriving while one runs are refused.
        var single = AuthorizationTests.Client(api, await AuthorizationTests.CreateKeyAsync(admin, new { name = "single", limits = new { max_concurrent_requests = 1 } }));
        var together = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await single.PostAsync("/v1/chat/completions", OpenAIClientTests.Json(
                """{"model":"dictionary","stream":true,"max_tokens":200,"ignore_eos":true,"messages":[{"role":"user","content":"dog"}]}"""));
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, Body: body);
        }));
        Assert.Contains(together, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains(together, r => r.StatusCode == HttpStatusCode.TooManyRequests && r.Body.Contains("concurrency_limit_exceeded", StringComparison.Ordinal));
        await Eventually.HoldsAsync(() => single.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(Model)), r => r.IsSuccessStatusCode);
    }
}
