using Microsoft.AspNetCore.Http;

namespace Inference.Serving.Infer;

/// <summary>An inference request's response, and when it failed, the problem a request of its own answers with.</summary>
public sealed record InferOutcome(InferResponse Response, IResult? Failure)
{
    public bool Success => Response.Success;

    public int? Status => Response.Status;

    public string? Error => Response.Error;
}
