using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
        api.MapGet("/templates", async (SkillVlDbContext db, TemplateHealth health, CancellationToken ct) =>
        {
            var rows = await db.Templates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
            return TypedResults.Ok(rows.Select(t => ToInfo(t, health)).ToList());
        }).WithTags("Templates").WithSummary("List VM templates (unusable: why no machine can be made from one)");

        api.MapPost("/templates", UploadAsync)
            .WithTags("Templates")
            .Accepts<TemplateUploadForm>("multipart/form-data")
            .Produces<TemplateUploadInfo>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Upload a qcow2 disk as a template (admin): multipart fields name, defaultCpus, defaultMemoryMiB and the file disk");

        api.MapDelete("/templates/{name}", DeleteAsync)
            .WithTags("Templates")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Delete a template and its stored disks (admin); 409 naming the rooms and users whose machines use it");
        return api;
    }

    private static async Task<IResult> UploadAsync(
        HttpContext http, TemplateContent content, IDbContextFactory<SkillVlDbContext> dbFactory, IOptions<SkillVlServerOptions> options, TimeProvider time,
        TemplateHealth health, ILoggerFactory loggers, CancellationToken ct)
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

        // The catalogue's content is the Server's (ADR 0036); nodes fetch a template from it when a disk needs one.
        var store = content.Store;
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
                // The store inspected the stored disk (backing or data file, encryption, format, consistency, size) and
                // removed it: nothing of the upload remains, and no row is written.
                return ApiResults.Invalid(TemplateUpload.DiskField, e.Message, "The template is not valid.");
            }

            // Imported means inspected and found fine: a flag from an earlier start no longer applies to these bytes.
            health.Record(image.Sha256, null);

            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await TemplateCatalog.RegisterAsync(db, image, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            Logging.Log.TemplateRegistered(loggers.CreateLogger(typeof(TemplateUpload)), image.Name, image.Sha256);
            var row = await db.Templates.AsNoTracking().FirstAsync(t => t.Name == image.Name, ct);
            return Results.Created(ApiPaths.Templates, new TemplateUploadInfo(ToInfo(row, health), upload.DiskSha256!, upload.DiskBytes));
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// Deletes a template: its row and every stored content under its name that nothing else refers to (another
    /// template's row, a machine's base). Refused with 409 while any machine was made from it, naming the rooms and
    /// their owners, since those machines' disks are overlays on the template's disk.
    /// </summary>
    private static async Task<IResult> DeleteAsync(
        string name, HttpContext http, TemplateContent content, IDbContextFactory<SkillVlDbContext> dbFactory, TemplateHealth health,
        CompressedTemplateFiles compressed, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!http.Caller().IsAdmin)
        {
            return ApiResults.Forbidden("Only an admin can delete templates.");
        }

        var store = content.Store;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Serializable: on SQLite BEGIN IMMEDIATE, so the check and the removal hold the write lock together; on
        // PostgreSQL a concurrent insert of a machine on this template makes one of the two fail instead of both
        // passing (ADR 0034). An apply that read the row just before cannot be stopped here; its machine then fails to
        // start with "template not on this node", which is loud, not unsafe.
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        var row = await db.Templates.FirstOrDefaultAsync(t => t.Name == name, ct);
        if (row is null)
        {
            return ApiResults.NotFound($"Template '{name}'");
        }

        var users = await (
            from m in db.Machines.AsNoTracking()
            where m.TemplateName == name || m.TemplateSha256 == row.Sha256
            join r in db.Rooms.AsNoTracking() on m.RoomId equals r.Id
            join u in db.Users.AsNoTracking() on r.OwnerId equals u.Id
            select new { Room = r.Name, Owner = u.Username, Machine = m.Name }).ToListAsync(ct);
        if (users.Count > 0)
        {
            var rooms = users.GroupBy(u => (u.Room, u.Owner)).OrderBy(g => g.Key.Owner, StringComparer.Ordinal).ThenBy(g => g.Key.Room, StringComparer.Ordinal)
                .Select(g => new TemplateUser(g.Key.Room, g.Key.Owner, g.Select(x => x.Machine).Order(StringComparer.Ordinal).ToList())).ToList();
            var list = string.Join("; ", rooms.Select(r => $"room '{r.Room}' of user '{r.Owner}' ({string.Join(", ", r.Machines)})"));
            return Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Conflict",
                detail: $"Template '{name}' is used by {users.Count} machine(s): {list}. Delete those rooms (or change their machines' template) first.",
                extensions: new Dictionary<string, object?> { ["usedBy"] = rooms });
        }

        // Older contents under the name stay in the store for machines cloned from them (TemplateCatalog); with no
        // machine left they go too, unless another template's row or a machine still refers to the same bytes.
        var stored = await store.ListAsync(ct);
        var candidates = stored.Where(t => t.Name == name).Select(t => t.Sha256).Append(row.Sha256).ToHashSet(StringComparer.Ordinal);
        var referenced = (await db.Templates.Where(t => t.Name != name).Select(t => t.Sha256).ToListAsync(ct))
            .Concat(await db.Machines.Select(m => m.TemplateSha256).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        db.Templates.Remove(row);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        var removed = candidates.Where(sha => !referenced.Contains(sha)).Order(StringComparer.Ordinal).ToList();
        foreach (var sha in removed)
        {
            await store.DeleteAsync(sha, ct);
            compressed.Remove(sha);
            health.Record(sha, null);
        }

        http.Items[Audit.AuditService.DetailItem] = $"template {name} ({row.Sha256}); removed: {(removed.Count == 0 ? "none" : string.Join(", ", removed))}";
        Logging.Log.TemplateDeleted(loggers.CreateLogger(typeof(TemplateUpload)), name, row.Sha256, removed.Count);
        return Results.NoContent();
    }

    private static IResult TooLarge(long maxBytes) =>
        ApiResults.Invalid(TemplateUpload.DiskField, $"is larger than {maxBytes} bytes (SkillVL:MaxTemplateUploadBytes).", "The template is not valid.");

    private static TemplateInfo ToInfo(TemplateEntity t, TemplateHealth health) =>
        new(t.Name, t.Sha256, t.Boot, t.DefaultCpus, t.DefaultMemoryBytes, t.SizeBytes, health.Problem(t.Sha256));
}
