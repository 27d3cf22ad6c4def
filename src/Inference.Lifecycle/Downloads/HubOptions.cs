namespace Inference.Lifecycle.Downloads;

/// <summary>
/// Where models are downloaded from and to (<c>Inference:Hub</c>): a Hugging Face-style hub (<c>HF_ENDPOINT</c> and
/// <c>HF_TOKEN</c> are read too, as the Hugging Face tools do), the folder downloads land in, and how often an
/// interrupted transfer is resumed before the download fails.
/// </summary>
public sealed class HubOptions
{
    public const string SectionName = "Inference:Hub";

    public Uri Endpoint { get; set; } = new("https://huggingface.co");

    /// <summary>Sent as a bearer token to the hub (gated and private repositories); never to plain URLs of other hosts.</summary>
    public string? Token { get; set; }

    /// <summary>Where downloaded model folders go; the models directory when empty.</summary>
    public string? DownloadDirectory { get; set; }

    /// <summary>Resumptions of one file after a broken transfer.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Downloads waiting to start beyond the one running.</summary>
    public int MaxQueued { get; set; } = 16;
}
