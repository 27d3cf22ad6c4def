using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Inference.Onnx.Tokenization;

namespace Inference.Benchmarks;

/// <summary>
/// One greedy streamed request through each API surface — OpenAI's Chat Completions and Responses, Anthropic's
/// Messages — on the same ONNX chat model served by one Api process (cache off): time to the first text delta and
/// decode tokens/s (output tokens after the first over the time from the first delta to the last), the surfaces taking
/// turns in each round. Then reranking: documents/s at 1 and 32 documents per request, by a cross-encoder and an
/// embedding model when given.
/// </summary>
internal static class SurfaceBenchmark
{
    private const int Rounds = 9;
    private const int PromptTokens = 128;
    private const int NewTokens = 128;

    private static readonly string[] Surfaces = ["chat/completions", "responses", "messages"];

    public static async Task RunAsync(string chat, string? crossEncoder, string? embedding, int threads, string repositoryRoot)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var port = BenchProcess.FreePort();
        List<(string, string)> environment =
        [
            ("Inference__Models__bench__Path", chat),
            ("Inference__Engine__IntraOpThreads", threads.ToString(CultureInfo.InvariantCulture)),
            ("Inference__Cache__Enabled", "false"),
            ("Inference__Metadata__SqlitePath", Path.Combine(Path.GetTempPath(), $"surface-bench-{port}.db")),
        ];
        if (crossEncoder is not null)
        {
            environment.Add(("Inference__Models__rerank__Path", crossEncoder));
        }

        if (embedding is not null)
        {
            environment.Add(("Inference__Models__embed__Path", embedding));
        }

        var api = BenchProcess.Start(repositoryRoot, "Inference.Api", port, [.. environment]);
        try
        {
            await BenchProcess.WaitReadyAsync(http, port);
            var tokenizer = ModelTokenizerLoader.Load(chat);
            var prompt = LlamaHttpBenchmark.Text(t => tokenizer.Encode(t).Length, new Random(3), PromptTokens);
            await RequestAsync(http, port, "chat/completions", prompt); // warm-up
            var results = Surfaces.ToDictionary(s => s, _ => new List<(double FirstToken, double Decode, int Tokens)>());
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var surface in Surfaces.Skip(round % Surfaces.Length).Concat(Surfaces.Take(round % Surfaces.Length)))
                {
                    results[surface].Add(await RequestAsync(http, port, surface, prompt));
                }
            }

            var baseline = results["chat/completions"];
            foreach (var (surface, list) in results)
            {
                Console.WriteLine($"surface {surface}: time to first token {LlamaBench.Range([.. list.Select(r => r.FirstToken)], "F0")} ms, " +
                    $"decode {LlamaBench.Range([.. list.Select(r => r.Decode)])} tok/s, {list[0].Tokens} tokens; median ratio to chat completions: " +
                    $"first token {LlamaBench.Median(list.Select(r => r.FirstToken)) / LlamaBench.Median(baseline.Select(r => r.FirstToken)):F3}, " +
                    $"decode {LlamaBench.Median(list.Select(r => r.Decode)) / LlamaBench.Median(baseline.Select(r => r.Decode)):F3}");
            }

            foreach (var (model, name) in new[] { (crossEncoder, "rerank"), (embedding, "embed") })
            {
                if (model is null)
                {
                    continue;
                }

                foreach (var documents in new[] { 1, 32 })
                {
                    var rates = new List<double>();
                    await RerankAsync(http, port, name, documents); // warm-up
                    for (var round = 0; round < Rounds; round++)
                    {
                        rates.Add(await RerankAsync(http, port, name, documents));
                    }

                    Console.WriteLine($"rerank by {Path.GetFileName(model.TrimEnd('/'))} ({(name == "rerank" ? "cross-encoder" : "embedding-cosine")}), {documents} documents per request: {LlamaBench.Range(rates)} documents/s");
                }
            }

            Console.WriteLine($"surfaces: api peak memory {BenchProcess.PeakMemoryMiB(api)} MiB");
        }
        finally
        {
            BenchProcess.Stop(api);
        }
    }

    /// <summary>One streamed request through <paramref name="surface"/>: ms to the first text delta, decode tok/s, output tokens.</summary>
    private static async Task<(double FirstToken, double Decode, int Tokens)> RequestAsync(HttpClient http, int port, string surface, string prompt)
    {
        object body = surface switch
        {
            "responses" => new { model = "bench", input = prompt, max_output_tokens = NewTokens, temperature = 0, stream = true, store = false },
            "messages" => new { model = "bench", max_tokens = NewTokens, temperature = 0, stream = true, messages = new[] { new { role = "user", content = prompt } } },
            _ => new { model = "bench", max_tokens = NewTokens, temperature = 0, stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = prompt } } },
        };
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/v1/{surface}") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        long? first = null;
        long last = 0;
        var tokens = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line.AsMemory(6));
            var data = json.RootElement;
            var (text, outputTokens) = surface switch
            {
                "responses" => (data.GetProperty("type").GetString() == "response.output_text.delta",
                    data.TryGetProperty("response", out var r) && r.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u.GetProperty("output_tokens").GetInt32() : 0),
                "messages" => (data.GetProperty("type").GetString() == "content_block_delta",
                    data.GetProperty("type").GetString() == "message_delta" ? data.GetProperty("usage").GetProperty("output_tokens").GetInt32() : 0),
                _ => (data.GetProperty("choices") is { ValueKind: JsonValueKind.Array } c && c.GetArrayLength() > 0 && c[0].GetProperty("delta").TryGetProperty("content", out var d) && d.GetString()!.Length > 0,
                    data.TryGetProperty("usage", out var cu) && cu.ValueKind == JsonValueKind.Object ? cu.GetProperty("completion_tokens").GetInt32() : 0),
            };
            if (text)
            {
                first ??= Stopwatch.GetTimestamp();
                last = Stopwatch.GetTimestamp();
            }

            tokens = Math.Max(tokens, outputTokens);
        }

        var firstMs = Stopwatch.GetElapsedTime(started, first ?? started).TotalMilliseconds;
        var decodeSeconds = Stopwatch.GetElapsedTime(first ?? started, last).TotalSeconds;
        return (firstMs, decodeSeconds > 0 ? (tokens - 1) / decodeSeconds : 0, tokens);
    }

    private static async Task<double> RerankAsync(HttpClient http, int port, string model, int documents)
    {
        var random = new Random(documents);
        var texts = Enumerable.Range(0, documents).Select(_ => string.Join(' ', Enumerable.Range(0, 40).Select(_ => LlamaHttpBenchmark.Words[random.Next(LlamaHttpBenchmark.Words.Length)]))).ToList();
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsJsonAsync($"http://127.0.0.1:{port}/v1/rerank", new { model, query = "which of these is about the weather at night", documents = texts });
        response.EnsureSuccessStatusCode();
        return documents / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
