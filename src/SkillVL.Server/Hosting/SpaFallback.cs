using Microsoft.Extensions.FileProviders;

namespace SkillVL.Server.Hosting;

/// <summary>
/// The SPA's index.html for its client-side routes (/rooms/…, /oidc/callback, …): a GET that no endpoint matched, whose
/// path has no file extension and is not one of the Server's own. A middleware after routing rather than a fallback
/// endpoint (MapFallback) on purpose: routing answers 415 for a wrong Content-Type only when no other endpoint could
/// take the request, and a catch-all fallback endpoint always could — so a wrong Content-Type on the API answered
/// the fallback's 404 (issue 11, finding 12).
/// </summary>
public static class SpaFallback
{
    /// <param name="serverOwnedPrefixes">Paths such as "/api" the Server answers itself: never index.html there.</param>
    public static IApplicationBuilder UseSpaFallback(this IApplicationBuilder app, IFileProvider files, IReadOnlyList<string> serverOwnedPrefixes) =>
        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if (context.GetEndpoint() is not null
                || !HttpMethods.IsGet(context.Request.Method)
                || Path.HasExtension(path.Value)
                || serverOwnedPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
            {
                return next(context);
            }

            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            return context.Response.SendFileAsync(files.GetFileInfo("index.html"));
        });
}
