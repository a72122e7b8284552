using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Identifiers;
using SkillVL.Server.Data;

namespace SkillVL.Server.Tasks;

/// <summary>
/// Every long operation is a task (id, state, progress, timestamped log, outcome), persisted so it can be
/// followed through the API and survives a restart (like Proxmox's UPID tasks).
/// </summary>
public sealed class TaskService(IDbContextFactory<SkillVlDbContext> dbFactory, TimeProvider time)
{
    public async Task<TaskEntity> CreateAsync(
        string kind,
        string target,
        RoomEntity room,
        string? machineId,
        long? awaitedGeneration,
        string firstLogLine,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var task = new TaskEntity
        {
            Id = ShortId.New(),
            Kind = kind,
            Target = target,
            State = TaskStates.Running,
            CreatedAt = now,
            RoomId = room.Id,
            OwnerId = room.OwnerId,
            CourseId = room.CourseId,
            MachineId = machineId,
            AwaitedGeneration = awaitedGeneration,
        };
        task.Log.Add(new TaskLogEntity { TaskId = task.Id, Timestamp = now, Message = firstLogLine });
        db.Tasks.Add(task);
        await db.SaveChangesAsync(cancellationToken);
        return task;
    }

    public async Task LogAsync(string taskId, string message, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.TaskLog.Add(new TaskLogEntity { TaskId = taskId, Timestamp = time.GetUtcNow(), Message = message });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Sets progress (0..1) and adds a log line when <paramref name="message"/> is given; no-op on a finished task.</summary>
    public async Task ProgressAsync(string taskId, double progress, string? message, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task is null || TaskStates.IsFinal(task.State))
        {
            return;
        }

        task.Progress = Math.Clamp(progress, 0, 1);
        if (message is not null)
        {
            db.TaskLog.Add(new TaskLogEntity { TaskId = taskId, Timestamp = time.GetUtcNow(), Message = message });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task CompleteAsync(string taskId, bool succeeded, string outcome, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task is null || TaskStates.IsFinal(task.State))
        {
            return;
        }

        var now = time.GetUtcNow();
        task.State = succeeded ? TaskStates.Succeeded : TaskStates.Failed;
        task.Progress = succeeded ? 1 : task.Progress;
        task.FinishedAt = now;
        task.Outcome = outcome;
        db.TaskLog.Add(new TaskLogEntity { TaskId = taskId, Timestamp = now, Message = outcome });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A task the caller may see (<paramref name="visible"/>), with its log.</summary>
    public async Task<TaskInfo?> GetAsync(string taskId, Expression<Func<TaskEntity, bool>> visible, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await db.Tasks.AsNoTracking()
            .Include(t => t.Log.OrderBy(l => l.Id))
            .Where(visible)
            .FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        return task is null ? null : ToInfo(task);
    }

    public async Task<IReadOnlyList<TaskInfo>> ListAsync(Expression<Func<TaskEntity, bool>> visible, int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tasks = await db.Tasks.AsNoTracking()
            .Where(visible)
            .OrderByDescending(t => t.CreatedAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return tasks.Select(ToInfo).ToList();
    }

    /// <summary>Tasks still running, for the reconciler to advance; a restart of the Server picks them up again.</summary>
    public async Task<IReadOnlyList<TaskEntity>> ListOpenAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Tasks.AsNoTracking()
            .Where(t => t.State == TaskStates.Running || t.State == TaskStates.Queued)
            .ToListAsync(cancellationToken);
    }

    public static TaskInfo ToInfo(TaskEntity task) => new(
        task.Id,
        task.Kind,
        task.Target,
        task.State,
        task.Progress,
        task.CreatedAt,
        task.FinishedAt,
        task.Outcome,
        task.Log.Select(l => new TaskLogLine(l.Timestamp, l.Message)).ToList());
}
