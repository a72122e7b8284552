using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Agent;
using SkillVL.Core.Api;
using SkillVL.Core.Errors;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;
using SkillVL.Server.Templates;

namespace SkillVL.Server.Apis;

public static class TemplatesApi
{
    public static RouteGroupBuilder MapTemplatesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/templates", async (SkillVlDbContext db, CancellationToken ct) =>
        {
            var rows = await db.Templates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
            return TypedResults.Ok(rows.Select(ToInfo).ToList());
        }).WithTags("Templates").WithSummary("List VM templates");

        api.MapPost("/templates", UploadAsync)
            .WithTags("Templates")
            .Accepts<TemplateUploadForm>("multipart/form-data")
            .Produces<TemplateUploadInfo>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Upload a qcow2 disk as a template (admin): multipart fields name, defaultCpus, defaultMemoryMiB and the file disk");
        return api;
    }

    private static async Task<IResult> UploadAsync(
        HttpContext http, NodeRegistry nodes, IDbContextFactory<SkillVlDbContext> dbFactory, IOptions<SkillVlServerOptions> options, TimeProvider time,
        ILoggerFactory loggers, CancellationToken ct)
    {
        if (!http.Caller().IsAdmin)
        {
            return ApiResults.Forbidden("Only an admin can upload templates.");
        }

        // Disk images are far larger than Kestrel's default 30 MB body limit. One that says it is too large is refused
        // before its body is read (a client that sent "Expect: 100-continue" then sends none of it); one that turns
        // out too large on the way (chunked) is refused when it passes the limit.
        var maxBytes = options.Value.MaxTemplateUploadBytes;
        if (http.Request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        // The Server's own node keeps the templates; agent nodes import theirs themselves (templates.list reports them).
        var store = nodes.Known.OfType<LocalNodeAgent>().FirstOrDefault()?.Templates
            ?? throw new InvalidOperationException("The Server has no local node to keep templates.");
        // Staged beside the store (same filesystem), so the import's copy stays on one disk.
        var staging = Path.Combine(options.Value.DataDirectory, "uploads", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            TemplateUpload.Result upload;
            try
            {
                upload = await TemplateUpload.ReadAsync(http.Request, staging, ct);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge(maxBytes);
            }

            if (upload.Errors.Count > 0)
            {
                return ApiResults.Invalid(upload.Errors, "The template is not valid.");
            }

            Core.Templates.TemplateImage image;
            try
            {
                image = await store.ImportAsync(staging, ct);
            }
            catch (DriverException e)
            {
                return ApiResults.Invalid(TemplateUpload.DiskField, e.Message, "The template is not valid.");
            }

            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await TemplateCatalog.RegisterAsync(db, image, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            Logging.Log.TemplateRegistered(loggers.CreateLogger(typeof(TemplateUpload)), image.Name, image.Sha256);
            var row = await db.Templates.AsNoTracking().FirstAsync(t => t.Name == image.Name, ct);
            return Results.Created(ApiPaths.Templates, new TemplateUploadInfo(ToInfo(row), upload.DiskSha256!, upload.DiskBytes));
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private static IResult TooLarge(long maxBytes) =>
        ApiResults.Invalid(TemplateUpload.DiskField, $"is larger than {maxBytes} bytes (SkillVL:MaxTemplateUploadBytes).", "The template is not valid.");

    private static TemplateInfo ToInfo(TemplateEntity t) => new(t.Name, t.Sha256, t.Boot, t.DefaultCpus, t.DefaultMemoryBytes, t.SizeBytes);
}
