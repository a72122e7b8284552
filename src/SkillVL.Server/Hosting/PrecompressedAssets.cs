using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace SkillVL.Server.Hosting;

/// <summary>
/// Serves the SPA's hashed assets (<c>/assets/*</c>) from the brotli or gzip copies the web build writes beside them
/// (web/precompress.mjs) to browsers that accept that encoding: the bundle goes out at about a quarter of its size and no
/// request spends CPU compressing it (docs/benchmarks.md, "Web UI"). Only the SPA's static files: the Server's own
/// answers are never compressed, since they carry tokens (BREACH).
/// </summary>
public static class PrecompressedAssets
{
    /// <summary>
    /// Vite names every asset by its content hash, so an asset never changes and may be cached for good; index.html,
    /// which names them, is revalidated on every load so a new build is seen at once.
    /// </summary>
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";

    private static readonly (string Encoding, string Extension)[] Encodings = [("br", ".br"), ("gzip", ".gz")];
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Whether the request's Accept-Encoding takes <paramref name="encoding"/> (named, and not with q=0).</summary>
    public static bool Accepts(HttpRequest request, string encoding) =>
        request.GetTypedHeaders().AcceptEncoding.Any(a => a.Value.Equals(encoding, StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);

    public static IApplicationBuilder UsePrecompressedAssets(this IApplicationBuilder app, IFileProvider files) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (HttpMethods.IsGet(context.Request.Method) && path.StartsWithSegments("/assets", StringComparison.Ordinal)
                && ContentTypes.TryGetContentType(path.Value!, out var contentType))
            {
                foreach (var (encoding, extension) in Encodings)
                {
                    if (Accepts(context.Request, encoding)
                        && files.GetFileInfo(path.Value + extension) is { Exists: true, PhysicalPath: not null } file)
                    {
                        var headers = context.Response.Headers;
                        headers.ContentType = contentType;
                        headers.ContentEncoding = encoding;
                        headers.Vary = HeaderNames.AcceptEncoding;
                        headers.CacheControl = ImmutableCacheControl;
                        context.Response.ContentLength = file.Length;
                        await context.Response.SendFileAsync(file, context.RequestAborted);
                        return;
                    }
                }
            }

            await next(context);
        });
}
