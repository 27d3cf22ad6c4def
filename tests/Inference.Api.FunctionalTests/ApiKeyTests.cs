using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenAI;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// With <c>Inference:Auth:Enabled</c>, routes need an API key: the bootstrap admin key creates keys (the secret shown
/// once, stored hashed), a key works as a bearer token (the OpenAI SDK's way) or <c>x-api-key</c>; a missing,
/// malformed, unknown, revoked or expired key is a 401, a key without the scope a 403; health stays open.
/// </summary>
public sealed class ApiKeyTests : IDisposable
{
    private const string Model = LifecycleHost.Model;
    private const string AdminKey = "bootstrap-admin-key-0123456789";
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    private WebApplicationFactory<Program> Start() => _host.Start(b =>
    {
        b.UseSetting("Inference:Auth:Enabled", "true");
        b.UseSetting("Inference:Auth:AdminKey", AdminKey);
    });

    [Fact]
    public async Task Keys_are_created_by_an_admin_used_by_the_openai_sdk_and_refused_once_revoked_or_expired()
    {
        await using var api = Start();
        using var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Eventually.HoldsAsync(() => anonymous.GetAsync("/ready"), r => r.IsSuccessStatusCode)).StatusCode);

        using (var refused = await anonymous.PostAsync("/v1/chat/completions", OpenAIClientTests.Json($$$"""{"model":"{{{Model}}}","messages":[{"role":"user","content":"hi"}]}""")))
        {
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
            await BadInputTests.AssertError(refused, 401, null, "invalid_api_key");
        }

        using var admin = AuthorizationTests.Client(api, AdminKey);
        var created = await admin.PostAsJsonAsync("/api/keys", new { name = "team-a", scopes = new[] { "inference" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = key.GetProperty("secret").GetString()!;
        Assert.StartsWith("ia_", secret, StringComparison.Ordinal);
        Assert.Equal(secret[..10], key.GetProperty("prefix").GetString());

        // Listed without its secret.
        var listed = await admin.GetStringAsync("/api/keys");
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Contains("team-a", listed, StringComparison.Ordinal);

        // The OpenAI SDK sends it as a bearer token.
        var client = new OpenAIClient(new ApiKeyCredential(secret), new OpenAIClientOptions
        {
            Endpoint = new Uri(api.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(api.CreateClient()),
        });
        var answer = await client.GetChatClient(Model).CompleteChatAsync([OpenAI.Chat.ChatMessage.CreateUserMessage("What does \"cat\" mean?")], new OpenAI.Chat.ChatCompletionOptions { MaxOutputTokenCount = 8 });
        Assert.False(string.IsNullOrEmpty(answer.Value.Content[0].Text));

        // x-api-key too; an inference key may not manage keys.
        using var byHeader = api.CreateClient();
        byHeader.DefaultRequestHeaders.Add("x-api-key", secret);
        Assert.Equal(HttpStatusCode.OK, (await byHeader.GetAsync("/v1/models")).StatusCode);
        using (var forbidden = await byHeader.GetAsync("/api/keys"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
        }

        // Revoked: refused at once on this replica.
        using (var revoked = await admin.DeleteAsync($"/api/keys/{key.GetProperty("id").GetString()}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        using (var afterRevoke = await byHeader.GetAsync("/v1/models"))
        {
            await BadInputTests.AssertError(afterRevoke, 401, null, "invalid_api_key");
        }

        // Expired: refused once its time has passed.
        var shortLived = await (await admin.PostAsJsonAsync("/api/keys", new { name = "brief", expires_at = DateTimeOffset.UtcNow.AddSeconds(2) })).Content.ReadFromJsonAsync<JsonElement>();
        using var brief = AuthorizationTests.Client(api, shortLived.GetProperty("secret").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await brief.GetAsync("/v1/models")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(HttpStatusCode.Unauthorized, (await brief.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task Missing_malformed_and_unknown_keys_are_refused_on_every_kind_of_route_without_echoing_them()
    {
        await using var api = Start();
        using var probe = api.CreateClient();
        await Eventually.HoldsAsync(() => probe.GetAsync("/ready"), r => r.IsSuccessStatusCode);
        string[] routes = ["/v1/models", "/api/tags", "/api/models", "/api/inference/jobs/job-x", "/circuit-breaker/status", "/deployments/x", "/api/keys"];
        var credentials = new (string Header, string Value)[] { ("", ""), ("Authorization", "Basic dXNlcjpwYXNz"), ("Authorization", "Bearer ia_not-a-key-at-all"), ("x-api-key", new string('k', 500)) };
        foreach (var route in routes)
        {
            foreach (var (header, value) in credentials)
            {
                using var http = api.CreateClient();
                if (header.Length > 0)
                {
                    http.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
                }

                using var response = await http.GetAsync(route);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route} with {header}: {(int)response.StatusCode} {body}");
                if (value.Length > 0)
                {
                    Assert.DoesNotContain(value.Split(' ')[^1], body, StringComparison.Ordinal);
                }
            }
        }

        using var admin = AuthorizationTests.Client(api, AdminKey);
        foreach (var bad in new object[] { new { name = "" }, new { name = "x", scopes = new[] { "root" } }, new { name = "x", scopes = Array.Empty<string>() }, new { name = "x", expires_at = DateTimeOffset.UtcNow.AddDays(-1) } })
        {
            using var refused = await admin.PostAsJsonAsync("/api/keys", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/keys/key-none")).StatusCode);
    }
}
