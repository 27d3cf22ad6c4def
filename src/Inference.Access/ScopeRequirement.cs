using Inference.Http;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Inference.Access;

/// <summary>
/// The scope the route asks for (<see cref="RequiredScope"/>; <see cref="Scopes.Inference"/> when it names none) is
/// among the caller's, or the caller is an admin.
/// </summary>
internal sealed class ScopeRequirement : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var needed = (context.Resource as HttpContext)?.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope ?? Scopes.Inference;
        if (context.User.HasClaim(Scopes.ClaimType, needed) || context.User.HasClaim(Scopes.ClaimType, Scopes.Admin))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
