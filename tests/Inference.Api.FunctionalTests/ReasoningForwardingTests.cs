using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using Inference.Client;
using Inference.Engines;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// What the gateway's client of a Worker (or any OpenAI-compatible server) sends and reads beyond OpenAI's own fields:
/// the template's fields go out, the reasoning a server answers with comes back as <see cref="TextReasoningContent"/>.
/// </summary>
public sealed class ReasoningForwardingTests
{
    [Fact]
    public async Task Template_fields_go_out_and_reasoning_content_comes_back_streamed_and_not()
    {
        var handler = new RecordingHandler();
        var client = new InferenceParametersChatClient(new OpenAIClient(
            new ApiKeyCredential("unused"),
            new OpenAIClientOptions { Endpoint = new Uri("http://worker.test/v1"), Transport = new HttpClientPipelineTransport(new HttpClient(handler)), RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient("m").AsIChatClient());
        var options = new ChatOptions
        {
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
            AdditionalProperties = new()
            {
                [EngineChatOptions.TemplateVariables] = JsonDocument.Parse("""{"enable_thinking": true}""").RootElement,
                [EngineChatOptions.AddGenerationPrompt] = true,
                [EngineChatOptions.ReasoningBudget] = 64,
            },
        };

        var response = await client.GetResponseAsync("Hi", options);

        Assert.Equal("Hello!", response.Text);
        Assert.Equal("Thought about it.", string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        var sent = JsonDocument.Parse(handler.Bodies[0]).RootElement;
        Assert.True(sent.GetProperty("chat_template_kwargs").GetProperty("enable_thinking").GetBoolean());
        Assert.True(sent.GetProperty("add_generation_prompt").GetBoolean());
        Assert.Equal(64, sent.GetProperty("reasoning_budget").GetInt32());
        Assert.Equal("high", sent.GetProperty("reasoning_effort").GetString());

        var updates = await client.GetStreamingResponseAsync("Hi", options).ToListAsync();
        Assert.Equal("Thought about it.", string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        Assert.Equal("Hello!", string.Concat(updates.Select(u => u.Text)));
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            Bodies.Add(body);
            var streamed = JsonDocument.Parse(body).RootElement.TryGetProperty("stream", out var s) && s.GetBoolean();
            var content = streamed
                ? string.Concat(
                    Chunk("""{"role":"assistant","reasoning_content":"Thought "}"""),
                    Chunk("""{"reasoning_content":"about it."}"""),
                    Chunk("""{"content":"Hello!"}"""),
                    "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                    "data: [DONE]\n\n")
                : """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","reasoning_content":"Thought about it."},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(content, Encoding.UTF8, streamed ? "text/event-stream" : "application/json") };
        }

        private static string Chunk(string delta) =>
            $"data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":null}}]}}\n\n";
    }
}
