using System.CommandLine;

namespace Inference.Cli;

/// <summary>The options every command takes: where the platform is, and the key to send (for deployments that ask for one).</summary>
internal static class GlobalOptions
{
    public static readonly Option<Uri> Base = new("--base")
    {
        Description = "The platform's base URL (or INFERENCE_BASE_URL).",
        DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable("INFERENCE_BASE_URL") is { Length: > 0 } url ? url : "http://localhost:5000"),
        Recursive = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--base '{text}' must be an absolute http(s) URL, such as http://localhost:5000.");
            return null;
        },
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "Sent as a bearer token (or INFERENCE_API_KEY).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("INFERENCE_API_KEY"),
        Recursive = true,
    };

    public static InferenceApiClient Client(ParseResult result) => new(result.GetValue(Base)!, result.GetValue(ApiKey));
}
