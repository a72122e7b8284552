using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Checks;
using SkillVL.Core.Checks;
using SkillVL.Core.Errors;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Checks;

/// <summary>
/// Runs a room's checks (issue 17, ADR 0042): every check at once, each through its machine's guest agent with
/// <see cref="CheckOptions.CheckTimeout"/>, all within <see cref="CheckOptions.RunTimeout"/>; then replaces the room's
/// stored results with this run's. A machine that cannot run its check (stopped, checked out, its node or guest agent
/// away) gives a failed result saying so, never an error of the whole run.
/// </summary>
public sealed class CheckRunner(
    SkillVlDbContext db,
    NodeRegistry nodes,
    TimeProvider time,
    IOptions<SkillVlServerOptions> options,
    ILogger<CheckRunner> logger)
{
    private CheckOptions Settings => options.Value.Checks;

    /// <summary>Runs the checks of <paramref name="room"/> (its machines loaded) for <paramref name="username"/>.</summary>
    public async Task<IReadOnlyList<CheckResultInfo>> RunAsync(RoomEntity room, string username, CancellationToken cancellationToken)
    {
        var definition = RoomDocument.Parse(room.DefinitionJson).Definition;
        var checks = definition?.Checks ?? [];
        // Whole milliseconds: the database keeps DateTimeOffset to 0.1 ms, and the answer must equal what GET reads back.
        var now = time.GetUtcNow();
        var at = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), now.Offset);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        run.CancelAfter(Settings.RunTimeout);
        var verdicts = await Task.WhenAll(checks.Select(check => RunOneAsync(room, definition!, check, cancellationToken, run.Token)));
        var results = checks.Select((check, i) => new CheckResultInfo(check.Name, verdicts[i].Passed, verdicts[i].Detail, at)).ToList();

        // Only the latest run is kept (ADR 0042); the caller's cancellation no longer stops the write of a finished run.
        await db.CheckResults.Where(r => r.RoomId == room.Id).ExecuteDeleteAsync(CancellationToken.None);
        var rows = results.Select((r, i) => new CheckResultEntity
        {
            RoomId = room.Id,
            Name = r.Name,
            Position = i,
            Passed = r.Passed,
            Detail = r.Detail,
            RanAt = at,
            RanBy = username,
        }).ToList();
        db.CheckResults.AddRange(rows);
        await db.SaveChangesAsync(CancellationToken.None);

        // The delete above bypasses the change tracker: rows it still tracked would clash with the next run's.
        rows.ForEach(row => db.Entry(row).State = EntityState.Detached);
        ChecksLog.Ran(logger, room.Id, results.Count(r => r.Passed), results.Count, username);
        return results;
    }

    /// <summary>The latest stored results of a room, in the definition's order.</summary>
    public async Task<IReadOnlyList<CheckResultInfo>> LatestAsync(string roomId, CancellationToken cancellationToken) =>
        await db.CheckResults.AsNoTracking().Where(r => r.RoomId == roomId).OrderBy(r => r.Position)
            .Select(r => new CheckResultInfo(r.Name, r.Passed, r.Detail, r.RanAt))
            .ToListAsync(cancellationToken);

    private async Task<CheckVerdict> RunOneAsync(
        RoomEntity room, RoomDefinition definition, CheckDefinition check, CancellationToken request, CancellationToken run)
    {
        var machine = room.Machines.FirstOrDefault(m => m.Name == check.Machine);
        if (machine is null)
        {
            return CheckJudge.CouldNotRun($"machine '{check.Machine}' is not in this room");
        }

        if (machine.CheckoutNode is not null)
        {
            return CheckJudge.CouldNotRun($"machine '{machine.Name}' is checked out to a client computer; check it in to run its checks");
        }

        if (machine.DesiredState != MachineStates.Running || machine.ObservedState != MachineStates.Running)
        {
            return CheckJudge.CouldNotRun($"machine '{machine.Name}' is not running ({machine.ObservedState}); start it and check again");
        }

        if (nodes.Find(machine.NodeName) is not { } node)
        {
            return CheckJudge.CouldNotRun($"machine '{machine.Name}' is on a node that is not connected now; try again later");
        }

        var target = CheckCommand.Target(definition, check);
        try
        {
            var result = await node.Vms.GuestExecAsync(machine.Id, CheckCommand.Argv(definition, check), Settings.CheckTimeout, run);
            return CheckJudge.Judge(check, target, result.ExitCode, result.Stdout, result.Stderr, result.TimedOut, Settings.CheckTimeout);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested && !request.IsCancellationRequested)
        {
            return CheckJudge.CouldNotRun(string.Create(
                System.Globalization.CultureInfo.InvariantCulture, $"did not finish within the {Settings.RunTimeout.TotalSeconds:0} s all checks together may take"));
        }
        catch (InvalidVmStateException)
        {
            return CheckJudge.CouldNotRun($"machine '{machine.Name}' is not running; start it and check again");
        }
        catch (GuestAgentUnavailableException)
        {
            return CheckJudge.CouldNotRun($"machine '{machine.Name}' does not answer yet (still booting?); try again in a moment");
        }
        catch (SkillVlException ex)
        {
            // The driver's message may name host paths; the student gets words, the log gets the exception.
            ChecksLog.NodeFailed(logger, ex, room.Id, check.Name, machine.Id);
            return CheckJudge.CouldNotRun($"the node of machine '{machine.Name}' could not run the check; try again later");
        }
    }
}
