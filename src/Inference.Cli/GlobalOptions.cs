using System.CommandLine;

namespace Inference.Cli;

/// <summary>The options every command takes: where the platform is, and the key to send (for deployments that ask for one).</summary>
internal static class GlobalOptions
{
    public static readonly Option<Uri> Base = UrlOption(
        "--base", "The platform's base URL (or INFERENCE_BASE_URL).", "INFERENCE_BASE_URL", new Uri("http://localhost:5000"), ["http", "https"], "an absolute http(s) URL, such as http://localhost:5000")!;

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "Sent as a bearer token (or INFERENCE_API_KEY).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("INFERENCE_API_KEY"),
        Recursive = true,
    };

    public static readonly Option<Uri?> Nats = UrlOption(
        "--nats", "Talk to a NATS server (nats://host:port, or INFERENCE_NATS_URL) instead of HTTP: the models' subjects.", "INFERENCE_NATS_URL", null, ["nats", "tls"], "a NATS URL, such as nats://127.0.0.1:4222");

    public static readonly Option<string?> Subject = new("--subject")
    {
        Description = "With --nats: the subject to ask (default inference.request.MODEL, embedding.request.MODEL).",
        Recursive = true,
    };

    public static NatsInferenceClient? NatsClient(ParseResult result) =>
        result.GetValue(Nats) is { } server ? new NatsInferenceClient(server, TimeSpan.FromMinutes(2)) : null;

    public static InferenceApiClient Client(ParseResult result) => new(result.GetValue(Base)!, result.GetValue(ApiKey));

    /// <summary>A URL option of one of <paramref name="schemes"/>, its default from <paramref name="variable"/> or <paramref name="fallback"/>.</summary>
    private static Option<Uri?> UrlOption(string name, string description, string variable, Uri? fallback, string[] schemes, string example) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : fallback,
        Recursive = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme))
            {
                return uri;
            }

            result.AddError($"{name} '{text}' must be {example}.");
            return null;
        },
    };
}
