using System.Globalization;
using Inference.Storage.Data;
using Inference.Serving;
using Inference.Serving.Draining;
using Inference.Http;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Access.Quotas;

/// <summary>
/// Holds each API key to its limits on the inference routes, across replicas through <see cref="IQuotaStore"/>:
/// requests and tokens a minute (token buckets: the tokens estimated when the request arrives, corrected by what it
/// used when it ends), requests at once, the prompt's size and the budget of its period (the estimated cost reserved,
/// then corrected). A refusal is a 429 with <c>Retry-After</c> (a 400 for a prompt over the key's limit); OpenAI's
/// <c>x-ratelimit-*</c> headers tell every answer what is left. A key with an overflow model sends a request that its
/// rate or token limit refuses there instead.
/// </summary>
internal sealed partial class QuotaMiddleware(
    RequestDelegate next, IQuotaStore store, SpendLedger ledger, IOptions<QuotaOptions> options, IOptions<ApiOptions> api, ILogger<QuotaMiddleware> logger)
{
    public const string OverflowHeader = "x-inference-overflow";
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public async Task InvokeAsync(HttpContext context)
    {
        // The routes that run models (the ones that drain); a key without limits is not counted.
        if (context.GetEndpoint()?.Metadata.GetMetadata<DrainsOnShutdown>() is null
            || context.Features.Get<ApiKey>() is not { } key
            || (key.RequestsPerMinute, key.TokensPerMinute, key.MaxConcurrentRequests, key.MaxPromptTokens, key.Budget) is (null, null, null, null, null))
        {
            await next(context);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var estimate = await RequestEstimate.ReadAsync(context.Request, api.Value.MaxRequestBodyBytes, options.Value.DefaultCompletionTokens, cancellationToken);
        if (key.MaxPromptTokens is { } maxPrompt && estimate.PromptTokens > maxPrompt)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, $"The request is about {estimate.PromptTokens} prompt tokens; this key allows {maxPrompt}.", "invalid_request_error", "prompt_too_large", null);
            return;
        }

        var usage = new RequestUsage();
        var overflowed = false;
        // The request and its tokens are taken at once (one round trip to Redis, not two); what one limit refuses, the
        // other gives back.
        var requestsTaken = key.RequestsPerMinute is { } rpm ? store.TakeAsync($"rpm:{key.Id}", 1, rpm, Minute, force: false, cancellationToken) : null;
        var tokensTaken = key.TokensPerMinute is { } tpm ? store.TakeAsync($"tpm:{key.Id}", estimate.Tokens, tpm, Minute, force: false, cancellationToken) : null;
        await Task.WhenAll(new Task?[] { requestsTaken, tokensTaken }.OfType<Task>());
        BucketResult? requests = requestsTaken is null ? null : await requestsTaken;
        BucketResult? tokens = tokensTaken is null ? null : await tokensTaken;
        if (requests is { Allowed: false } && tokens is { Allowed: true })
        {
            // The request limit refused it: the tokens it took back (and no token headers, as before it took them).
            await store.TakeAsync($"tpm:{key.Id}", -estimate.Tokens, key.TokensPerMinute!.Value, Minute, force: true, cancellationToken);
            tokens = null;
        }
        else if (tokens is { Allowed: false } && requests is { Allowed: true })
        {
            // The token limit refused it: the request it took back.
            requests = await store.TakeAsync($"rpm:{key.Id}", -1, key.RequestsPerMinute!.Value, Minute, force: true, cancellationToken);
            requests = requests.Value with { Allowed = false, RetryAfter = tokens.Value.RetryAfter };
        }
        else if (tokens is { Allowed: false } && requests is { Allowed: false })
        {
            tokens = null;
        }

        SetHeaders(context.Response, key, requests, tokens);
        if (requests is { Allowed: false } || tokens is { Allowed: false })
        {
            var wait = Max(requests?.RetryAfter, tokens?.RetryAfter);
            if (key.OverflowModel is { } overflow && !string.Equals(overflow, estimate.Model, StringComparison.Ordinal))
            {
                usage.OverflowModel = overflow;
                overflowed = true;
                context.Response.Headers[OverflowHeader] = estimate.Model ?? "rate_limit";
                LogOverflow(logger, key.Id, estimate.Model, overflow);
            }
            else
            {
                var which = requests is { Allowed: false } ? $"requests ({key.RequestsPerMinute} a minute)" : $"tokens ({key.TokensPerMinute} a minute)";
                await Refuse(context, StatusCodes.Status429TooManyRequests, $"Rate limit reached for this key's {which}; retry after {Seconds(wait)} s.", "rate_limit_exceeded", "rate_limit_exceeded", wait);
                return;
            }
        }

        string? spendKey = null;
        var spendEnd = DateTimeOffset.MinValue;
        var reservedUnits = 0L;
        if (key.Budget is { } budget)
        {
            var (sum, end, spent) = await ledger.SpentAsync(key, cancellationToken);
            var estimatedModel = usage.OverflowModel ?? estimate.Model;
            reservedUnits = SpendLedger.ToUnits(ledger.Cost(estimatedModel, null, estimate.PromptTokens, estimate.CompletionTokens));
            var limit = SpendLedger.ToUnits(budget);
            if (spent + reservedUnits > limit)
            {
                await GiveBackAsync(key, overflowed ? 0 : estimate.Tokens, overflowed ? 0 : 1);
                await Refuse(
                    context, StatusCodes.Status429TooManyRequests,
                    $"This key's budget of {budget.ToString(CultureInfo.InvariantCulture)} a {key.BudgetPeriod} is spent ({(spent / SpendLedger.Unit).ToString("0.######", CultureInfo.InvariantCulture)} so far; this request would cost about {(reservedUnits / SpendLedger.Unit).ToString("0.######", CultureInfo.InvariantCulture)}).",
                    "insufficient_quota", "insufficient_quota", end - DateTimeOffset.UtcNow);
                return;
            }

            (spendKey, spendEnd) = (sum, end);
            await ledger.AddAsync(sum, reservedUnits, end, cancellationToken);
        }

        var holder = context.TraceIdentifier + ":" + Guid.NewGuid().ToString("N");
        if (key.MaxConcurrentRequests is { } concurrent && !await store.AcquireAsync($"concurrent:{key.Id}", holder, concurrent, options.Value.ConcurrencyLease, cancellationToken))
        {
            await GiveBackAsync(key, overflowed ? 0 : estimate.Tokens, overflowed ? 0 : 1);
            if (spendKey is not null)
            {
                await ledger.AddAsync(spendKey, -reservedUnits, spendEnd, CancellationToken.None);
            }

            await Refuse(context, StatusCodes.Status429TooManyRequests, $"This key already has {concurrent} requests running; retry when one ends.", "rate_limit_exceeded", "concurrency_limit_exceeded", TimeSpan.FromSeconds(1));
            return;
        }

        // The serving core adds up what the request's calls use there (and sends it to the overflow model when set).
        if (context.Features.Get<InferenceContext>() is { } inference)
        {
            inference.Usage = usage;
        }

        try
        {
            await next(context);
        }
        finally
        {
            // The slot given back and what it used in place of what was reserved (nothing used when it failed before a
            // model ran), at once: one round trip to Redis.
            List<Task> settled = [];
            if (key.MaxConcurrentRequests is not null)
            {
                settled.Add(store.ReleaseAsync($"concurrent:{key.Id}", holder));
            }

            if (key.TokensPerMinute is { } tokenLimit && !overflowed)
            {
                settled.Add(store.TakeAsync($"tpm:{key.Id}", usage.TotalTokens - estimate.Tokens, tokenLimit, Minute, force: true, CancellationToken.None));
            }

            if (spendKey is not null)
            {
                var used = usage.Calls.Sum(c => SpendLedger.ToUnits(ledger.Cost(c.Model, c.Version, c.InputTokens, c.OutputTokens)));
                settled.Add(ledger.AddAsync(spendKey, used - reservedUnits, spendEnd, CancellationToken.None));
            }

            await Task.WhenAll(settled);
        }
    }

    private async Task GiveBackAsync(ApiKey key, long tokens, int requests)
    {
        if (key.RequestsPerMinute is { } rpm && requests > 0)
        {
            await store.TakeAsync($"rpm:{key.Id}", -requests, rpm, Minute, force: true, CancellationToken.None);
        }

        if (key.TokensPerMinute is { } tpm && tokens > 0)
        {
            await store.TakeAsync($"tpm:{key.Id}", -tokens, tpm, Minute, force: true, CancellationToken.None);
        }
    }

    /// <summary>OpenAI's rate-limit headers: each limit, what is left of it, and when it is whole again.</summary>
    private static void SetHeaders(HttpResponse response, ApiKey key, BucketResult? requests, BucketResult? tokens)
    {
        if (requests is { } r)
        {
            response.Headers["x-ratelimit-limit-requests"] = key.RequestsPerMinute!.Value.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-remaining-requests"] = ((long)Math.Max(0, Math.Floor(r.Remaining))).ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-reset-requests"] = Duration(r.Reset);
        }

        if (tokens is { } t)
        {
            response.Headers["x-ratelimit-limit-tokens"] = key.TokensPerMinute!.Value.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-remaining-tokens"] = ((long)Math.Max(0, Math.Floor(t.Remaining))).ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-reset-tokens"] = Duration(t.Reset);
        }
    }

    /// <summary>OpenAI's duration format: <c>20ms</c>, <c>1.5s</c>, <c>6m0s</c>.</summary>
    public static string Duration(TimeSpan span) =>
        span < TimeSpan.FromSeconds(1) ? $"{Math.Ceiling(span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms"
        : span < Minute ? $"{Math.Round(span.TotalSeconds, 3).ToString(CultureInfo.InvariantCulture)}s"
        : $"{(int)span.TotalMinutes}m{span.Seconds.ToString(CultureInfo.InvariantCulture)}s";

    private static TimeSpan Max(TimeSpan? a, TimeSpan? b) => (a ?? TimeSpan.Zero) > (b ?? TimeSpan.Zero) ? a!.Value : b ?? TimeSpan.Zero;

    private static long Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds));

    private static Task Refuse(HttpContext context, int status, string message, string type, string code, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Seconds(wait).ToString(CultureInfo.InvariantCulture);
        }

        return RouteErrors.For(context.Request.Path, status, message, type, code, status == 400 ? "Prompt too large" : "Too many requests").ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Key {KeyId} is over its rate limit: a request for {Model} overflows to {Overflow}.")]
    private static partial void LogOverflow(ILogger logger, string keyId, string? model, string overflow);
}
