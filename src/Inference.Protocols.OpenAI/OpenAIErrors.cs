using Inference.Http;
using Inference.Serving;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;

namespace Inference.Protocols.OpenAI;

/// <summary>The OpenAI routes' errors: a request's model not found as OpenAI words it, and errors as OpenAI's error object.</summary>
internal static class OpenAIErrors
{
    /// <summary>Why the request's model cannot serve it, as OpenAI words it; null when it can.</summary>
    public static InferenceError? Of(ModelLookup lookup, string endpoint) => lookup.Failure switch
    {
        ModelLookupFailure.None => null,
        ModelLookupFailure.Blank => InferenceError.Invalid("You must provide a model parameter.", "model"),
        ModelLookupFailure.NotReady => InferenceError.NotReady(),
        ModelLookupFailure.WrongKind => InferenceError.Invalid($"The model '{lookup.Requested}' cannot be used with {endpoint}.", "model", "model_not_supported"),
        _ => InferenceError.ModelNotFound(lookup.Requested),
    };

    /// <summary>The error object for an exception a request can cause; null for a fault of the server (which the exception handler answers).</summary>
    public static IResult? TryMap(Exception exception, string promptParam) =>
        InferenceErrors.FromException(exception, promptParam) is { } error ? ApiErrors.OpenAI(error) : null;

    public static IResult Result(InferenceError error) => ApiErrors.OpenAI(error);
}
