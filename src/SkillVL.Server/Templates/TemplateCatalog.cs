using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Templates;
using SkillVL.Server.Data;

namespace SkillVL.Server.Templates;

/// <summary>
/// The Server's table of template names: each name points at the newest content imported under it. Older
/// contents stay in the node's store, since machines cloned from them keep their base.
/// </summary>
public static class TemplateCatalog
{
    /// <summary>Points <paramref name="image"/>'s name at its content (adds the row on first sight); the caller saves.</summary>
    public static async Task RegisterAsync(SkillVlDbContext db, TemplateImage image, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = await db.Templates.FirstOrDefaultAsync(t => t.Name == image.Name, cancellationToken);
        if (row is null)
        {
            row = new TemplateEntity { Name = image.Name, Sha256 = image.Sha256, Boot = "", RegisteredAt = now };
            db.Templates.Add(row);
        }

        row.Sha256 = image.Sha256;
        row.Boot = image.Boot.ToString().ToLowerInvariant();
        row.DefaultCpus = image.DefaultCpus;
        row.DefaultMemoryBytes = image.DefaultMemoryBytes;
        row.SizeBytes = image.SizeBytes;
    }
}
