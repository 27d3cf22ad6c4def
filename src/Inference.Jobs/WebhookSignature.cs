using System.Security.Cryptography;
using System.Text;

namespace Inference.Jobs;

/// <summary>How a job's completion webhook is signed, for receivers to check it.</summary>
public static class WebhookSignature
{
    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c>.</summary>
    public const string SignatureHeader = "x-inference-signature";

    /// <summary>Unix seconds when the delivery was sent; part of what is signed.</summary>
    public const string TimestampHeader = "x-inference-timestamp";

    /// <summary>The job id: the same on every retry of one delivery, so a receiver can drop repeats.</summary>
    public const string DeliveryHeader = "x-inference-delivery";

    /// <summary>The value of <see cref="SignatureHeader"/> for a body sent at a timestamp under a secret.</summary>
    public static string Sign(string secret, string timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
    }
}
