namespace SkillVL.Server.Audit;

/// <summary>
/// Records every mutating API request (POST, PUT, PATCH, DELETE under /api), whoever sent it and whatever came of
/// it — refused ones included: action = method + route pattern, target = the route values.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, AuditService audit)
    {
        var method = context.Request.Method;
        var mutating = HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
        if (!mutating || !context.Request.Path.StartsWithSegments(Core.Api.ApiPaths.Prefix, StringComparison.Ordinal)
            || context.GetEndpoint()?.Metadata.GetMetadata<NotAudited>() is not null)
        {
            await next(context);
            return;
        }

        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            var endpoint = context.GetEndpoint() as RouteEndpoint;
            var pattern = endpoint?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            var target = string.Join(' ', context.Request.RouteValues.Select(kv => $"{kv.Key}={kv.Value}"));
            var outcome = failed ? "500" : context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var detail = context.Items.TryGetValue(AuditService.DetailItem, out var d) ? d as string : null;
            await audit.RecordAsync(context, null, $"{method} {pattern}", target.Length == 0 ? null : target, outcome, detail);
        }
    }
}
