using System.Text.Json;
using Inference.Serving.Caching;
using Microsoft.Extensions.AI;

namespace Inference.Serving.Tests;

/// <summary>The response cache's key: the same request always finds its entry, and anything that changes the answer changes the key.</summary>
public sealed class CacheKeyTests
{
    private static readonly JsonSerializerOptions Json = AIJsonUtilities.DefaultOptions;

    [Fact]
    public void The_same_request_has_the_same_key_whatever_was_keyed_before_on_the_thread()
    {
        var first = Key("What does \"dog\" mean?", new ChatOptions { Temperature = 0, MaxOutputTokens = 8 });

        // A longer request keyed in between must leave nothing behind in the reused buffer.
        Key(new string('x', 10_000), new ChatOptions { Temperature = 0, MaxOutputTokens = 8, AdditionalProperties = new() { ["grammar"] = "root ::= \"a\"" } });

        Assert.Equal(first, Key("What does \"dog\" mean?", new ChatOptions { Temperature = 0, MaxOutputTokens = 8 }));
        Assert.Matches("^[0-9a-f]{64}$", first);
    }

    [Fact]
    public void Messages_options_extra_fields_tools_the_model_and_streaming_each_change_the_key()
    {
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 8 };
        var keys = new[]
        {
            Key("dog", options),
            Key("cat", options),
            Key("dog", new ChatOptions { Temperature = 0, MaxOutputTokens = 9 }),
            Key("dog", new ChatOptions { Temperature = 0, MaxOutputTokens = 8, AdditionalProperties = new() { ["grammar"] = "root ::= \"a\"" } }),
            Key("dog", new ChatOptions { Temperature = 0, MaxOutputTokens = 8, Tools = [AIFunctionFactory.Create((int hour) => hour, "alarm")] }),
            Key("dog", new ChatOptions { Temperature = 0, MaxOutputTokens = 8, Tools = [AIFunctionFactory.Create((string hour) => hour, "alarm")] }),
            Key("dog", options, model: "other"),
            Key("dog", options, streaming: true),
            CacheKey.Of([new ChatMessage(ChatRole.System, "dog")], options, ["m"], [false], Json),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    private static string Key(string text, ChatOptions options, string model = "m", bool streaming = false) =>
        CacheKey.Of([new ChatMessage(ChatRole.User, text)], options, [model], [streaming], Json);
}
