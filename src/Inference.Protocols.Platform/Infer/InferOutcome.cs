using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.Platform;

/// <summary>An inference request's response, and when it failed, the problem a request of its own answers with.</summary>
/// <param name="Answer">Who answered and, for a chat model, its whole response (usage, finish reason); null when it failed.</param>
public sealed record InferOutcome(InferResponse Response, IResult? Failure, InferAnswer? Answer = null)
{
    public bool Success => Response.Success;

    public int? Status => Response.Status;

    public string? Error => Response.Error;
}

/// <summary>The model that answered an inference request (its name and version as the registry knows them), and what it said.</summary>
/// <param name="FallbackFrom">The model the request was routed to, when a fallback answered instead.</param>
/// <param name="Chat">A chat model's response.</param>
public sealed record InferAnswer(string Model, string? Version, string? FallbackFrom, ChatResponse? Chat);
