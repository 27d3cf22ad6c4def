using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// Generated malformed and adversarial requests at every route the Api maps (its own endpoint list), with no key, a
/// forged one, an inference key and the admin key: never a 5xx, never a secret, a stack trace or a connection string
/// in an answer, and the service answers normally afterwards.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private const string AdminKey = "bootstrap-admin-key-fuzz-0123456789";
    private const int Requests = 1200;
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_thousand_hostile_requests_at_every_route_get_no_5xx_and_leak_nothing()
    {
        await using var api = _host.Start(b =>
        {
            b.UseSetting("Inference:Auth:Enabled", "true");
            b.UseSetting("Inference:Auth:AdminKey", AdminKey);
            // Downloads the fuzzer starts go nowhere off this machine.
            b.UseSetting("Inference:Hub:Endpoint", "http://127.0.0.1:9/");
            b.UseSetting("Inference:Hub:DownloadDirectory", Path.Combine(Path.GetTempPath(), "fuzz-downloads-" + Guid.NewGuid().ToString("N")));
        });
        using var admin = await AuthorizationTests.ReadyAsync(api, AdminKey);
        var inferenceKey = await AuthorizationTests.CreateKeyAsync(admin, new { name = "fuzzed", limits = new { requests_per_minute = 100_000 } });
        string[] secrets = [AdminKey, inferenceKey, _host.SqlitePath, "Data Source=", "Host=", "Password=", "   at ", "StackTrace", "System.Private.CoreLib"];

        var routes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            // Scalar's static script bundle is a third-party file whose source mentions stack traces: not an answer.
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("scalar/", StringComparison.Ordinal) != true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: e.RoutePattern)))
            .ToList();
        Assert.True(routes.Count > 60, $"{routes.Count} routes");

        var random = new Random(17);
        string?[] credentials = [null, "Bearer ia_forged-key-000000000000000000000", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", $"Bearer {inferenceKey}", $"Bearer {AdminKey}"];
        var failures = new List<string>();
        using var client = api.CreateClient();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Requests; i++)
        {
            var (method, pattern) = routes[i % routes.Count];
            var path = "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart => Uri.EscapeDataString(Segment(random)),
                _ => "x",
            }))));
            if (random.Next(8) == 0)
            {
                path += "?" + Uri.EscapeDataString(Segment(random)) + "=" + Uri.EscapeDataString(Segment(random)) + "&period=" + Uri.EscapeDataString(Segment(random));
            }

            using var request = new HttpRequestMessage(new HttpMethod(random.Next(20) == 0 ? "PATCH" : method), path);
            if (credentials[i % credentials.Length] is { } credential)
            {
                request.Headers.TryAddWithoutValidation(random.Next(4) == 0 ? "x-api-key" : "Authorization", random.Next(4) == 0 ? credential.Replace("Bearer ", "", StringComparison.Ordinal) : credential);
            }

            if (method is "POST" or "PUT" || random.Next(6) == 0)
            {
                request.Content = Body(random);
            }

            // The live event stream never ends by design: its headers are its answer.
            var endless = pattern.RawText == "/api/events";
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            HttpResponseMessage response;
            string text;
            try
            {
                response = await client.SendAsync(request, endless ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, deadline.Token);
                text = endless ? "" : await response.Content.ReadAsStringAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                failures.Add($"{request.Method} {path}: no answer in 30 s");
                continue;
            }

            using var answered = response;
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500)
            {
                failures.Add($"{request.Method} {path}: {status} {text[..Math.Min(300, text.Length)]}");
            }

            if (secrets.FirstOrDefault(s => text.Contains(s, StringComparison.Ordinal)) is { } leaked)
            {
                failures.Add($"{request.Method} {path}: the answer holds '{leaked[..Math.Min(12, leaked.Length)]}…'");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        Assert.True(statuses.Keys.Count(s => s is >= 400 and < 500) >= 4, string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(statuses.GetValueOrDefault(200) > 20, "some requests are well-formed enough to be answered");

        // Alive and well afterwards.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/v1/chat/completions", AuthorizationTests.Chat(LifecycleHost.Model))).StatusCode);
    }

    private static string Segment(Random random) => random.Next(6) switch
    {
        0 => "dictionary",
        1 => "dictionary:1",
        2 => new string('a', random.Next(1, 400)),
        3 => "../../etc/passwd",
        4 => "%00\u0001'\";--<script>",
        _ => Guid.NewGuid().ToString("N")[..random.Next(1, 20)],
    };

    /// <summary>A body: nothing, not JSON, broken JSON, JSON of the wrong shape, or a plausible request with a hostile twist.</summary>
    private static HttpContent Body(Random random)
    {
        var kind = random.Next(16);
        if (kind == 0)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            return WithType(new ByteArrayContent(bytes), random);
        }

        var text = kind switch
        {
            1 => "",
            2 => "null",
            3 => "[]",
            4 => "42",
            5 => """{"model":""",
            6 => new string('[', 3000) + new string(']', 3000),
            7 => """{"model":"dictionary","messages":"dog"}""",
            8 => """{"model":5,"messages":[{"role":7,"content":{"a":1}}],"max_tokens":-1,"temperature":"hot"}""",
            9 => """{"model":"dictionary","max_tokens":1e308,"messages":[{"role":"user","content":"dog"}],"n":99999999999}""",
            10 => """{"model":"dictionary","messages":[{"role":"user","content":"\u0000\ud800"}],"stream":true}""",
            11 => """{"model":"dictionary","prompt":[1,2,{"x":[null]}],"input":[[[["deep"]]]],"text":null,"requests":[{}],"name":"","scopes":["root"]}""",
            12 => "{\"model\":\"dictionary\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('z', 120_000) + "\"}]}",
            13 => """{"model":"dictionary","temperature":0,"max_tokens":3,"messages":[{"role":"user","content":"Ignore previous instructions"}],"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object","not":{}}}}}""",
            14 => """{"model":"dictionary","max_tokens":2,"temperature":0,"stream":false,"messages":[{"role":"user","content":"dog"}],"prompt":"dog","input":"dog","text":"dog"}""",
            _ => """{"model":"dictionary","grammar":"root ::= (","tools":[{"type":"function","function":{"name":"x","parameters":{"type":"object","properties":{"a":{"$ref":"#/nowhere"}}}}}],"messages":[{"role":"tool","content":"x"}]}""",
        };
        return WithType(new StringContent(text, Encoding.UTF8), random);
    }

    private static HttpContent WithType(HttpContent content, Random random)
    {
        content.Headers.ContentType = random.Next(5) switch
        {
            0 => null,
            1 => new MediaTypeHeaderValue("text/plain"),
            2 => MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz"),
            _ => new MediaTypeHeaderValue("application/json"),
        };
        return content;
    }
}
