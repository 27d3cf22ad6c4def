using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Inference.Engines;
using Inference.LlamaCpp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Benchmarks;

/// <summary>
/// The Worker serving one GGUF file as its own process, driven over HTTP: 1, 4 and 8 concurrent streamed
/// completions (128-token prompts, 128 new tokens, greedy, ignore_eos), the Worker's peak memory, and the time to first
/// token of a conversation's second turn after a 1,000-token first turn, with prefix reuse on and off.
/// </summary>
internal static class LlamaHttpBenchmark
{
    private const int Runs = 3;
    internal static readonly string[] Words = ("time person year way day thing man world life hand part child eye woman place work week case point " +
        "government company number group problem fact river stone garden window music letter mountain winter morning story").Split(' ');

    public static async Task RunAsync(string file, int threads, string repositoryRoot)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var tokenizer = LlamaChatModel.Load(new ModelLoadRequest("t", file, ModelKind.Chat), new LlamaCppEngineOptions { Threads = 1, MaxSequences = 1, ContextLength = 2048, PrefixCache = false }, NullLogger.Instance);
        var random = new Random(2);

        var (worker, port) = await StartAsync(repositoryRoot, file, threads, contextLength: 512, prefixCache: true);
        try
        {
            foreach (var streams in LlamaBench.Streams)
            {
                await StreamsAsync(http, port, tokenizer, random, streams); // warm-up
                var results = new List<(double Decode, double FirstToken)>();
                for (var run = 0; run < Runs; run++)
                {
                    results.Add(await StreamsAsync(http, port, tokenizer, random, streams));
                }

                Console.WriteLine($"http, {streams} streams: decode {LlamaBench.Range([.. results.Select(r => r.Decode)])} tok/s aggregate, " +
                    $"time to first token {LlamaBench.Range([.. results.Select(r => r.FirstToken)])} ms");
            }

            var kv = tokenizer.File.Int("llama.block_count")!.Value * tokenizer.File.Int("llama.attention.head_count_kv")!.Value
                * (tokenizer.File.EmbeddingLength!.Value / tokenizer.File.Int("llama.attention.head_count")!.Value) * 2 * 2L * 512 * 9;
            var bytes = (new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? new FileInfo(file)).Length;
            Console.WriteLine($"worker peak memory: {BenchProcess.PeakMemoryMiB(worker)} MiB (file {bytes >> 20} MiB + KV cache {kv >> 20} MiB configured: 512 tokens x 9 windows, f16)");
        }
        finally
        {
            BenchProcess.Stop(worker);
        }

        foreach (var reuse in new[] { true, false })
        {
            (worker, port) = await StartAsync(repositoryRoot, file, threads, contextLength: 2048, prefixCache: reuse);
            try
            {
                var firstTokens = new List<double>();
                for (var conversation = 0; conversation <= 5; conversation++)
                {
                    var ttft = await SecondTurnAsync(http, port, Text(tokenizer, random, 1000));
                    if (conversation > 0)
                    {
                        firstTokens.Add(ttft);
                    }
                }

                Console.WriteLine($"second turn after a 1,000-token first turn, prefix reuse {(reuse ? "on" : "off")}: time to first token {LlamaBench.Median(firstTokens):F0} ms median ({LlamaBench.Range(firstTokens, "F0")})");
            }
            finally
            {
                BenchProcess.Stop(worker);
            }
        }
    }

    private static async Task<(System.Diagnostics.Process, int)> StartAsync(string root, string file, int threads, int contextLength, bool prefixCache)
    {
        var port = BenchProcess.FreePort();
        var worker = BenchProcess.Start(root, "Inference.Worker", port,
            ("Inference__Models__bench__Path", file),
            ("Inference__Models__bench__ChatTemplate", "chatml"),
            ("Inference__LlamaCpp__Threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Inference__LlamaCpp__MaxSequences", "8"),
            ("Inference__LlamaCpp__ContextLength", contextLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Inference__LlamaCpp__PrefixCache", prefixCache ? "true" : "false"),
            ("Inference__Cache__Enabled", "false"));
        using var http = new HttpClient();
        await BenchProcess.WaitReadyAsync(http, port);
        return (worker, port);
    }

    /// <summary>B streamed raw completions at once; each chunk's arrival time stands for its token's.</summary>
    private static async Task<(double Decode, double FirstToken)> StreamsAsync(HttpClient http, int port, LlamaChatModel tokenizer, Random random, int streams)
    {
        var prompts = Enumerable.Range(0, streams).Select(_ => Text(tokenizer, random, LlamaBench.PromptTokens)).ToList();
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(prompts.Select(prompt => StreamAsync(http, port, "/v1/completions", new
        {
            model = "bench",
            prompt,
            max_tokens = LlamaBench.NewTokens,
            temperature = 0,
            ignore_eos = true,
            stream = true,
            stream_options = new { include_usage = true },
        })));
        if (results.Any(r => r.Tokens != LlamaBench.NewTokens))
        {
            throw new InvalidOperationException("a stream did not produce every token");
        }

        // Chunks stand for tokens: with random prompts a few tokens are half characters and arrive with the next.
        return (LlamaBench.SteadyDecode([.. results.Select(r => r.Chunks)]) * LlamaBench.NewTokens / results.Average(r => r.Chunks.Count),
            LlamaBench.Median(results.Select(r => Stopwatch.GetElapsedTime(started, r.Chunks[0]).TotalMilliseconds)));
    }

    /// <summary>A conversation's first turn with a long message, then the time to the second turn's first token.</summary>
    private static async Task<double> SecondTurnAsync(HttpClient http, int port, string history)
    {
        List<object> messages = [new { role = "user", content = history }];
        using var first = await http.PostAsJsonAsync($"http://127.0.0.1:{port}/v1/chat/completions", new { model = "bench", messages, max_tokens = 16, temperature = 0 });
        first.EnsureSuccessStatusCode();
        var answer = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        messages.Add(new { role = "assistant", content = answer });
        messages.Add(new { role = "user", content = "And what happened next?" });
        var started = Stopwatch.GetTimestamp();
        var second = await StreamAsync(http, port, "/v1/chat/completions", new { model = "bench", messages, max_tokens = 4, temperature = 0, ignore_eos = true, stream = true });
        return Stopwatch.GetElapsedTime(started, second.Chunks[0]).TotalMilliseconds;
    }

    /// <summary>A streamed completion: when each chunk with text arrived, and the completion's token count.</summary>
    internal static async Task<(List<long> Chunks, int Tokens)> StreamAsync(HttpClient http, int port, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}{path}") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var chunks = new List<long>();
        var tokens = 0;
        // The client shares the machine's cores with the Worker: it only looks at each line, and parses the last.
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.Contains("\"usage\":{", StringComparison.Ordinal))
            {
                tokens = JsonDocument.Parse(line.AsMemory(6)).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
            }
            else if (!line.Contains("\"text\":\"\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal)
                && (line.Contains("\"text\":", StringComparison.Ordinal) || line.Contains("\"content\":", StringComparison.Ordinal)))
            {
                chunks.Add(Stopwatch.GetTimestamp());
            }
        }

        return (chunks, tokens);
    }

    /// <summary>Words until the model's tokenizer counts exactly <paramref name="tokens"/> tokens.</summary>
    private static string Text(LlamaChatModel tokenizer, Random random, int tokens) =>
        Text(text => tokenizer.Vocabulary.Tokenize(text).Length, random, tokens);

    /// <summary>Words until <paramref name="count"/> says exactly <paramref name="tokens"/> tokens.</summary>
    internal static string Text(Func<string, int> count, Random random, int tokens)
    {
        var text = new StringBuilder();
        while (true)
        {
            var next = text.Length == 0 ? Words[random.Next(Words.Length)] : text + " " + Words[random.Next(Words.Length)];
            var counted = count(next);
            if (counted > tokens)
            {
                // Pad with single-token words until the count is exact.
                while (count(text.ToString()) < tokens)
                {
                    text.Append(" a");
                }

                return text.ToString();
            }

            text.Clear().Append(next);
            if (counted == tokens)
            {
                return next;
            }
        }
    }
}
