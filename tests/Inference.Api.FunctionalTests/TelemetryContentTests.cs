using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

/// <summary>The GenAI spans of each call, with the prompt and response text only when Inference:Telemetry:IncludeContent allows it.</summary>
public sealed class TelemetryContentTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chat_spans_follow_the_genai_conventions_and_carry_text_only_when_allowed(bool includeContent)
    {
        var marker = $"zebra-{Guid.NewGuid():N}";
        List<Activity> spans = [];
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Experimental.Microsoft.Extensions.AI",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        // Its own metadata file: hosts that share one lock each other out of it.
        var data = Directory.CreateTempSubdirectory("telemetry-");
        await using var api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
            b.UseSetting("Inference:Metadata:SqlitePath", Path.Combine(data.FullName, "metadata.db"));
            b.UseSetting("Inference:Metadata:Audit:SpillDirectory", Path.Combine(data.FullName, "spill"));
            b.UseSetting($"Inference:Models:{InferenceApiFixture.Chat}:Path", InferenceApiFixture.Chat);
            b.UseSetting("Inference:Telemetry:IncludeContent", includeContent ? "true" : "false");
        });
        using var http = api.CreateClient();
        // Our own trace id, to tell this call's spans from those of other hosts in the process.
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = InferenceApiFixture.Chat,
                max_tokens = 8,
                messages = new[] { new { role = "user", content = $"What does \"{marker}\" mean?" } },
            }),
        };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        (await http.SendAsync(request)).EnsureSuccessStatusCode();

        Activity span;
        lock (spans)
        {
            span = spans.Single(s => s.TraceId == trace && s.OperationName.StartsWith("chat", StringComparison.Ordinal));
        }

        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.NotNull(span.GetTagItem("gen_ai.usage.output_tokens"));
        var text = string.Join("\n", span.TagObjects.Select(t => $"{t.Key}={t.Value}").Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}"))));
        Assert.Equal(includeContent, text.Contains(marker, StringComparison.Ordinal));
    }
}
