using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Identity;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Audit;

/// <summary>Appends to the audit log (who, what, when, from where, outcome). Never updates or deletes.</summary>
public sealed class AuditService(IDbContextFactory<SkillVlDbContext> dbFactory, TimeProvider time)
{
    /// <summary>Detail a handler attaches to the request's audit record (e.g. the command of an exec).</summary>
    public const string DetailItem = "skillvl.audit.detail";

    public async Task RecordAsync(HttpContext context, UserEntity? user, string action, string? target, string outcome, string? detail)
    {
        var caller = CurrentUser.From(context.User);
        await AppendAsync(new AuditEntity
        {
            At = time.GetUtcNow(),
            UserId = user?.Id ?? caller?.Id,
            Username = user?.Username ?? caller?.Username,
            Role = user?.Role ?? caller?.Role,
            Action = action,
            Target = target,
            RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
            Outcome = outcome,
            Detail = detail,
        });
    }

    public async Task AppendAsync(AuditEntity entry)
    {
        // Targets and details may quote what a caller sent or an exception said: no secret goes into the log.
        entry.Target = Logging.LogRedaction.Redact(entry.Target);
        entry.Detail = Logging.LogRedaction.Redact(entry.Detail);
        // Not the request's token: an aborted request must still leave its record.
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        db.Audit.Add(entry);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Entries newest first; <paramref name="before"/> (an entry id) pages back from the last page's oldest entry.</summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(
        string? username, string? action, DateTimeOffset? since, long? before, int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Audit.AsNoTracking();
        if (!string.IsNullOrEmpty(username))
        {
            query = query.Where(a => a.Username == username);
        }

        if (!string.IsNullOrEmpty(action))
        {
            query = query.Where(a => a.Action.Contains(action));
        }

        if (since is { } s)
        {
            query = query.Where(a => a.At >= s);
        }

        if (before is { } b)
        {
            query = query.Where(a => a.Id < b);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(limit).ToListAsync(cancellationToken);
        return rows.Select(a => new AuditEntry(a.Id, a.At, a.UserId, a.Username, a.Role, a.Action, a.Target, a.RemoteAddress, a.Outcome, a.Detail)).ToList();
    }

    /// <summary>SQL run once at schema creation: the database itself refuses to change or remove audit rows.</summary>
    public const string AppendOnlyTriggers = """
        CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON Audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON Audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """;
}
