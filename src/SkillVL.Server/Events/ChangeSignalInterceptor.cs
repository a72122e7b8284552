using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SkillVL.Server.Data;

namespace SkillVL.Server.Events;

/// <summary>
/// Raises the <see cref="ChangeSignal"/> after a SaveChanges (or the commit of its transaction) that wrote state
/// someone may be shown. At the database rather than in each service: no writer — the reconciler, the API, migrations,
/// courses, one added later — can forget it. Audit rows and API token bookkeeping are nobody's live view and do
/// not wake anyone. Bulk ExecuteUpdate/ExecuteDelete bypass SaveChanges; the streams' fallback read covers them.
/// </summary>
public sealed class ChangeSignalInterceptor(ChangeSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <summary>Contexts whose pending save (or open transaction) wrote something shown.</summary>
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    private void Note(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && Shown(e.Entity)))
        {
            _pending.AddOrUpdate(context, this);
        }
    }

    /// <summary>After the save: now, unless a transaction is open (then at its commit, when others can read it).</summary>
    private void Saved(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null && _pending.Remove(context))
        {
            signal.Raise();
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            signal.Raise();
        }
    }

    private static bool Shown(object entity) =>
        entity is not (AuditEntity or ApiTokenEntity) && entity.GetType().Namespace == typeof(RoomEntity).Namespace;
}
