namespace Inference.Serving.Requests;

/// <summary>
/// Why a request cannot be answered, in terms every API surface words in its own format: the status it answers with,
/// OpenAI's error type (<c>invalid_request_error</c>, <c>server_error</c>, <c>requests</c>), the message, the request
/// field at fault and a machine-readable code, and when a refused call may be tried again.
/// </summary>
public sealed record InferenceError(int Status, string Type, string Message, string? Param = null, string? Code = null, TimeSpan? RetryAfter = null)
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ServerError = "server_error";

    /// <summary>A 400: the request itself is at fault.</summary>
    public static InferenceError Invalid(string message, string? param = null, string? code = null) => new(400, InvalidRequest, message, param, code);

    public static InferenceError ModelNotFound(string model) =>
        new(404, InvalidRequest, $"The model '{model}' does not exist.", "model", "model_not_found");

    public static InferenceError NotReady() => new(503, ServerError, "Models are still loading; retry shortly.", null, "model_not_ready");
}
