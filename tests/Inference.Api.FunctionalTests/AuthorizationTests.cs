using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OllamaSharp;
using OpenAI;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// What each caller may do with authentication on: routes ask for the inference, metrics or admin scope; a key's models
/// are the only ones it sees and calls; a tenant never sees another's jobs, batches, files or stored responses (404); JWT bearer tokens
/// from the configured issuers, for the configured audiences, signed by any configured key, are callers like keys; the
/// SDKs (OpenAI, OllamaSharp, <c>AddInferenceChatClient</c>) work with a key.
/// </summary>
public sealed class AuthorizationTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private const string Other = "other";
    private const string AdminKey = "bootstrap-admin-key-0123456789";
    private const string Issuer = "https://issuer.test";
    private const string Audience = "inference-api";
    private static readonly string SigningKey = new('s', 40);
    private static readonly string NextSigningKey = "base64:" + Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('n', 48)));
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    private WebApplicationFactory<Program> Start() => _host.Start(b =>
    {
        b.UseSetting("Inference:Auth:Enabled", "true");
        b.UseSetting("Inference:Auth:AdminKey", AdminKey);
        b.UseSetting($"Inference:Models:{Other}:Path", "wordnet-chat-1m");
        b.UseSetting("Inference:Auth:Jwt:Issuers:0", Issuer);
        b.UseSetting("Inference:Auth:Jwt:Audiences:0", Audience);
        b.UseSetting("Inference:Auth:Jwt:SigningKeys:0", SigningKey);
        b.UseSetting("Inference:Auth:Jwt:SigningKeys:1", NextSigningKey);
    });

    [Fact]
    public async Task Routes_ask_for_their_scope_and_keys_see_and_call_only_their_models()
    {
        await using var api = Start();
        using var admin = await ReadyAsync(api, AdminKey);
        var inference = await CreateKeyAsync(admin, new { name = "app", scopes = new[] { "inference" }, models = new[] { Other } });
        var metrics = await CreateKeyAsync(admin, new { name = "prometheus", scopes = new[] { "metrics" } });
        using var app = Client(api, inference);
        using var scraper = Client(api, metrics);

        // Admin routes: an inference key is forbidden, the admin key is not.
        (HttpMethod Method, string Path)[] adminRoutes =
        [
            (HttpMethod.Post, "/models/register"), (HttpMethod.Post, $"/models/{Model}:1/activate"), (HttpMethod.Post, $"/models/{Model}:1/deploy"),
            (HttpMethod.Post, "/deployments/dep-x/rollback"), (HttpMethod.Post, "/ab-tests/start"), (HttpMethod.Post, "/api/models/download"),
            (HttpMethod.Post, "/api/pull"), (HttpMethod.Post, "/circuit-breaker/reset"),
            (HttpMethod.Post, "/grammars"), (HttpMethod.Get, "/api/keys"),
        ];
        foreach (var (method, path) in adminRoutes)
        {
            using var forbidden = await app.SendAsync(new HttpRequestMessage(method, path) { Content = OpenAIClientTests.Json("{}") });
            Assert.True(forbidden.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with an inference key: {(int)forbidden.StatusCode}");
            using var allowed = await admin.SendAsync(new HttpRequestMessage(method, path) { Content = OpenAIClientTests.Json("{}") });
            Assert.True(allowed.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"{method} {path} with the admin key: {(int)allowed.StatusCode}");
        }

        // Monitoring needs metrics (or admin); the metrics key may not run models.
        foreach (var path in new[] { "/metrics", "/alerts/active", "/api/services", "/performance/report", "/circuit-breaker/status" })
        {
            Assert.True((await app.GetAsync(path)).StatusCode == HttpStatusCode.Forbidden, $"{path} with an inference key");
            Assert.True((await scraper.GetAsync(path)).IsSuccessStatusCode, $"{path} with a metrics key");
        }

        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/dashboard")).StatusCode);
        using (var refused = await scraper.PostAsync("/v1/chat/completions", Chat(Other)))
        {
            await BadInputTests.AssertError(refused, 403, null, "insufficient_scope");
        }

        // Its models: listed alone, callable; any other is a 404 as if it did not exist.
        var listed = (await app.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal([Other], listed);
        Assert.Equal([Other], (await app.GetFromJsonAsync<JsonElement>("/api/tags")).GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await app.PostAsync("/v1/chat/completions", Chat(Other))).StatusCode);
        await BadInputTests.AssertError(await app.PostAsync("/v1/chat/completions", Chat(Model)), 404, "model", "model_not_found");
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/v1/models/{Model}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync("/api/chat", OpenAIClientTests.Json($$"""{"model":"{{Model}}","stream":false,"messages":[{"role":"user","content":"dog"}]}"""))).StatusCode);
        using (var job = await app.PostAsync("/api/inference/batch", OpenAIClientTests.Json($$"""{"requests":[{"text":"dog","model":"{{Model}}"}]}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, job.StatusCode);
            Assert.Contains($"may not use model '{Model}'", await job.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task A_tenant_never_sees_another_tenants_jobs_batches_or_files()
    {
        await using var api = Start();
        using var admin = await ReadyAsync(api, AdminKey);
        using var alice = Client(api, await CreateKeyAsync(admin, new { name = "alice", tenant = "a" }));
        using var bob = Client(api, await CreateKeyAsync(admin, new { name = "bob", tenant = "b" }));
        using var alice2 = Client(api, await CreateKeyAsync(admin, new { name = "alice-ci", tenant = "a" }));

        var job = await LifecycleHost.PostAsync(alice, "/api/inference/batch", $$$"""{"requests":[{"text":"dog","model":"{{{Model}}}","parameters":{"max_tokens":2}}]}""", 202);
        var jobId = job.GetProperty("job_id").GetString();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes($$$"""{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{"model":"{{{Model}}}","max_tokens":2,"messages":[{"role":"user","content":"dog"}]}}""")), "file", "in.jsonl" },
        };
        var file = await (await alice.PostAsync("/v1/files", form)).Content.ReadFromJsonAsync<JsonElement>();
        var fileId = file.GetProperty("id").GetString();
        var batch = await LifecycleHost.PostAsync(alice, "/v1/batches", $$"""{"input_file_id":"{{fileId}}","endpoint":"/v1/chat/completions","completion_window":"24h"}""");
        var batchId = batch.GetProperty("id").GetString();
        var responseId = (await LifecycleHost.PostAsync(alice, "/v1/responses", $$$"""{"model":"{{{Model}}}","input":"dog","max_output_tokens":2}""")).GetProperty("id").GetString();

        foreach (var path in new[] { $"/api/inference/jobs/{jobId}", $"/v1/files/{fileId}", $"/v1/files/{fileId}/content", $"/v1/batches/{batchId}", $"/v1/responses/{responseId}", $"/v1/responses/{responseId}/input_items" })
        {
            Assert.True((await bob.GetAsync(path)).StatusCode == HttpStatusCode.NotFound, $"{path} as another tenant");
            Assert.True((await alice2.GetAsync(path)).IsSuccessStatusCode, $"{path} as the same tenant's other key");
            Assert.True((await admin.GetAsync(path)).IsSuccessStatusCode, $"{path} as admin");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/api/inference/jobs/{jobId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/v1/batches/{batchId}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/v1/files/{fileId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/v1/responses/{responseId}")).StatusCode);
        using (var continued = await bob.PostAsync("/v1/responses", OpenAIClientTests.Json($$$"""{"model":"{{{Model}}}","input":"cat","previous_response_id":"{{{responseId}}}"}""")))
        {
            Assert.Equal(HttpStatusCode.NotFound, continued.StatusCode);
        }

        using (var borrowed = await bob.PostAsync("/v1/batches", OpenAIClientTests.Json($$"""{"input_file_id":"{{fileId}}","endpoint":"/v1/chat/completions","completion_window":"24h"}""")))
        {
            Assert.Equal(HttpStatusCode.NotFound, borrowed.StatusCode);
        }

        Assert.Equal(0, (await bob.GetFromJsonAsync<JsonElement>("/v1/files")).GetProperty("data").GetArrayLength());
        Assert.Equal(0, (await bob.GetFromJsonAsync<JsonElement>("/v1/batches")).GetProperty("data").GetArrayLength());
        Assert.Equal(1, (await alice2.GetFromJsonAsync<JsonElement>("/v1/batches")).GetProperty("data").GetArrayLength());

        // Usage: each tenant's own calls; the admin sees both.
        await bob.PostAsync("/v1/chat/completions", Chat(Model));
        await alice.PostAsync("/v1/chat/completions", Chat(Model));
        var bobs = await Eventually.HoldsAsync(
            () => bob.GetFromJsonAsync<JsonElement>("/api/metrics/usage?period=hour"), u => u.GetProperty("usage").GetArrayLength() > 0);
        Assert.All(bobs.GetProperty("usage").EnumerateArray(), row => Assert.Equal("b", row.GetProperty("tenant").GetString()));
        var all = await Eventually.HoldsAsync(
            () => admin.GetFromJsonAsync<JsonElement>("/api/metrics/usage?period=hour"),
            u => u.GetProperty("usage").EnumerateArray().Select(r => r.GetProperty("tenant").GetString()).Distinct().Count() >= 2);
        Assert.Contains(all.GetProperty("usage").EnumerateArray(), r => r.GetProperty("tenant").GetString() == "a");

        // The job's item and the batch's line ran as their owner: counted in its tenant's usage with its response and direct call.
        var alices = await Eventually.HoldsAsync(
            () => alice2.GetFromJsonAsync<JsonElement>("/api/metrics/usage?period=hour"), u => u.GetProperty("totals").GetProperty("requests").GetInt32() >= 4);
        Assert.Equal(4, alices.GetProperty("totals").GetProperty("requests").GetInt32());
        Assert.All(alices.GetProperty("usage").EnumerateArray(), row => Assert.Equal("a", row.GetProperty("tenant").GetString()));
    }

    [Fact]
    public async Task Jwt_callers_are_checked_for_issuer_audience_signature_and_expiry_and_keys_can_be_rotated()
    {
        await using var api = Start();
        using var probe = await ReadyAsync(api, AdminKey);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, Token()));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, Token(key: NextSigningKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, Token(issuer: "https://elsewhere.test")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, Token(audience: "another-api")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, Token(key: new string('x', 40))));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, Token(expires: DateTime.UtcNow.AddMinutes(-5))));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, Token(scope: "root")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(api, Token(scope: "metrics")));
        var tampered = Token();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, tampered[..^4] + (tampered[^4] == 'A' ? "B" : "A") + tampered[^3..]));

        // A token is a caller like a key: its tenant owns what it creates, its models bound what it calls.
        using var service = Client(api, Token(tenant: "svc", models: Other));
        Assert.Equal(HttpStatusCode.OK, (await service.PostAsync("/v1/chat/completions", Chat(Other))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.PostAsync("/v1/chat/completions", Chat(Model))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync("/api/keys")).StatusCode);
        using var operatorClient = Client(api, Token(scope: "admin"));
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task The_openai_sdk_ollamasharp_and_the_inference_chat_client_work_with_a_key()
    {
        await using var api = Start();
        using var admin = await ReadyAsync(api, AdminKey);
        var secret = await CreateKeyAsync(admin, new { name = "sdk" });

        var openai = new OpenAIClient(new ApiKeyCredential(secret), new OpenAIClientOptions
        {
            Endpoint = new Uri(api.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(api.CreateClient()),
        });
        var text = new StringBuilder();
        await foreach (var update in openai.GetChatClient(Model).CompleteChatStreamingAsync([OpenAI.Chat.ChatMessage.CreateUserMessage("What does \"cat\" mean?")]))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.StartsWith("cat:", text.ToString(), StringComparison.Ordinal);

        using var ollamaHttp = Client(api, secret);
        var ollama = new OllamaApiClient(ollamaHttp, Model);
        Assert.Contains(await ollama.ListLocalModelsAsync(), m => m.Name == Model);
        var chat = await ((IChatClient)ollama).GetResponseAsync("What does \"cat\" mean?");
        Assert.StartsWith("cat:", chat.Text, StringComparison.Ordinal);

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:inference"] = $"Endpoint={api.Server.BaseAddress};Key={secret};Model={Model}";
        builder.AddInferenceChatClient("inference");
        builder.Services.AddHttpClient("inference").ConfigurePrimaryHttpMessageHandler(() => api.Server.CreateHandler());
        using (var host = builder.Build())
        {
            var answer = await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("What does \"cat\" mean?");
            Assert.StartsWith("cat:", answer.Text, StringComparison.Ordinal);
        }

        // The same sibling without the key is refused.
        var keyless = Host.CreateApplicationBuilder();
        keyless.Configuration["ConnectionStrings:inference"] = $"Endpoint={api.Server.BaseAddress};Model={Model}";
        keyless.AddInferenceChatClient("inference");
        keyless.Services.AddHttpClient("inference").ConfigurePrimaryHttpMessageHandler(() => api.Server.CreateHandler());
        using var refused = keyless.Build();
        var error = await Assert.ThrowsAsync<ClientResultException>(() => refused.Services.GetRequiredService<IChatClient>().GetResponseAsync("cat"));
        Assert.Equal(401, error.Status);
    }

    internal static async Task<HttpClient> ReadyAsync(WebApplicationFactory<Program> api, string adminKey)
    {
        var admin = Client(api, adminKey);
        await Eventually.HoldsAsync(() => admin.GetAsync($"/models/{Model}"), r => r.IsSuccessStatusCode);
        return admin;
    }

    internal static async Task<string> CreateKeyAsync(HttpClient admin, object request)
    {
        using var created = await admin.PostAsJsonAsync("/api/keys", request);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("secret").GetString()!;
    }

    internal static HttpClient Client(WebApplicationFactory<Program> api, string key)
    {
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    internal static StringContent Chat(string model, int maxTokens = 2) =>
        OpenAIClientTests.Json($$"""{"model":"{{model}}","temperature":0,"max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"dog"}]}""");

    private static async Task<HttpStatusCode> StatusAsync(WebApplicationFactory<Program> api, string token)
    {
        using var http = Client(api, token);
        using var response = await http.PostAsync("/v1/chat/completions", Chat(Model));
        return response.StatusCode;
    }

    private static string Token(string issuer = Issuer, string audience = Audience, string? key = null, DateTime? expires = null, string scope = "inference", string tenant = "services", string? models = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "billing-service", ["scope"] = scope, ["tenant"] = tenant };
        if (models is not null)
        {
            claims["models"] = models;
        }

        var until = expires ?? DateTime.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = until.AddMinutes(-20),
            NotBefore = until.AddMinutes(-20),
            Expires = until,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Inference.Access.JwtOptions.KeyBytes(key ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
