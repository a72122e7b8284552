using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Placement;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.Recommendations;

namespace SkillVL.Server.PlacementControl;

/// <summary>
/// The placement controller (issue 14, Deliver 3; ADR 0030): every <see cref="PlacementOptions.EvaluateEverySeconds"/> it
/// asks the advisor about every running machine (RecommendationService, as an admin sees them), applies each machine's
/// policy (<see cref="PlacementController"/>, pure), and starts the moves <c>auto</c> allows through
/// <see cref="MigrationService.CreateAsync(CurrentUser, CreateMigrationRequest, string?, CancellationToken)"/> — the
/// service <c>POST /migrations</c>, check-out and check-in use, with all their checks; never a second path. Every
/// decision goes to the stored, bounded log (<see cref="PlacementDecisionStore"/>). One evaluation runs at a time.
/// </summary>
public sealed class PlacementControllerService(
    IServiceScopeFactory scopes,
    StartupGate gate,
    PlacementDecisionStore decisionLog,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<PlacementControllerService> logger) : BackgroundService
{
    /// <summary>Who the controller's migrations are requested by, in the migration's log and the audit.</summary>
    public static readonly CurrentUser Controller = new("placement-controller", "placement-controller", PlatformRoles.Admin, "placement-controller", []);

    private readonly PlacementController _controller = new();
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private int _soonQueued;

    /// <summary>
    /// Starts an evaluation in the background (an announced departure should not wait for the next round); a failure is
    /// logged like a round's. Evaluations never overlap: this one waits for one under way. At most one waits: while one is
    /// queued and not started, another call adds nothing (that one will see what the caller changed), so announcements
    /// sent in a loop cannot pile up evaluations.
    /// </summary>
    public void EvaluateSoon()
    {
        if (Interlocked.Exchange(ref _soonQueued, 1) == 1)
        {
            return;
        }

        _ = Task.Run(EvaluateInBackgroundAsync);
    }

    private async Task EvaluateInBackgroundAsync()
    {
        try
        {
            await EvaluateAsync(_stopping.Token);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            PlacementLog.EvaluationFailed(logger, e);
        }
        catch (OperationCanceledException)
        {
            // The Server stops.
        }
        catch (ObjectDisposedException)
        {
            // The Server stopped.
        }
    }

    /// <summary>Runs one evaluation now (and acts on it); its decisions, all of them, also those the log skips as repeats.</summary>
    public async Task<IReadOnlyList<PlacementDecision>> EvaluateAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        // From here on the signals are read afresh: a change announced before now is seen by this evaluation.
        Interlocked.Exchange(ref _soonQueued, 0);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var db = services.GetRequiredService<SkillVlDbContext>();
            var advised = await services.GetRequiredService<RecommendationService>().AdviseAsync(Controller, cancellationToken);
            var resolve = await services.GetRequiredService<PlacementPolicyService>().ResolverAsync(cancellationToken);
            // Only what can matter: moves under way, and moves that ended within the longest minimum stay a policy may set
            // (every 30 s, the whole migration history would be read and grow without bound).
            var now = time.GetUtcNow();
            var staySince = now.AddSeconds(-PlacementPolicyRules.MaxMinStaySeconds);
            var migrations = await db.Migrations.AsNoTracking()
                .Where(m => m.State == MigrationStates.Pending || m.State == MigrationStates.Running
                    || (m.State == MigrationStates.Succeeded && m.FinishedAt != null && m.FinishedAt >= staySince))
                .Select(m => new { m.MachineId, m.SourceNode, m.TargetNode, m.State, m.FinishedAt })
                .ToListAsync(cancellationToken);
            // The minimum stay counts from the latest move that ended with the machine on its new node.
            var lastMoved = migrations.Where(m => m.State == MigrationStates.Succeeded && m.FinishedAt is not null)
                .GroupBy(m => m.MachineId)
                .ToDictionary(g => g.Key, g => g.Max(m => m.FinishedAt!.Value), StringComparer.Ordinal);
            var underWay = migrations.Where(m => m.State is MigrationStates.Pending or MigrationStates.Running)
                .Select(m => new MoveUnderWay(m.SourceNode, m.TargetNode)).ToList();
            var machines = advised.Candidates.Values.ToDictionary(
                c => c.MachineId,
                c => new ControlledMachine(c.MachineId, c.PinnedNode, resolve(advised.Rooms[c.MachineId]), lastMoved.TryGetValue(c.MachineId, out var at) ? at : null),
                StringComparer.Ordinal);

            var decisions = new List<PlacementDecision>();
            foreach (var decision in _controller.Evaluate(now, advised.Advice, machines, underWay))
            {
                var final = decision.Outcome == DecisionOutcomes.Acted
                    ? await ActAsync(services.GetRequiredService<MigrationService>(), Controller, decision, advised.Rooms[decision.MachineId], cancellationToken)
                    : decision;
                decisions.Add(final);
            }

            // One write for the evaluation (most evaluations repeat every decision and write nothing). Should a move fail
            // unexpectedly (the database, not a refusal) the evaluation's decisions are not logged; the moves it started
            // are in the migrations table, requested by placement-controller.
            await decisionLog.AddAsync(decisions, cancellationToken);
            return decisions;
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>
    /// Starts the move <paramref name="decision"/> names through the migration engine as <paramref name="caller"/>: a
    /// check-out for a move to the owner's computer, a check-in for a checked-out machine's way back, else a migration.
    /// The engine checks everything again; a refusal becomes a held decision with its answer as the reason.
    /// </summary>
    public async Task<PlacementDecision> ActAsync(
        MigrationService migrations, CurrentUser caller, PlacementDecision decision, RoomEntity room, CancellationToken cancellationToken)
    {
        var machine = room.Machines.Single(m => m.Id == decision.MachineId);
        var purpose = decision.Kind switch
        {
            PlacementKinds.VerticalToClient => CheckoutRules.Checkout,
            PlacementKinds.VerticalToServer when machine.CheckoutNode is not null => CheckoutRules.Checkin,
            _ => null,
        };
        var result = await migrations.CreateAsync(caller, new CreateMigrationRequest(decision.MachineId, decision.To), purpose, cancellationToken);
        _controller.Forget(decision.MachineId);
        if (result.Created is { } created)
        {
            PlacementLog.Moving(logger, decision.Machine, decision.From, decision.To, created.Id, decision.Reason);
            return decision with { MigrationId = created.Id };
        }

        var refusal = result.Conflict ?? result.NotFound ?? result.Forbidden?.Message
            ?? string.Join("; ", (result.Errors ?? []).Select(e => $"{e.Field}: {e.Message}"));
        PlacementLog.Refused(logger, decision.Machine, decision.From, decision.To, refusal);
        return decision with
        {
            Outcome = DecisionOutcomes.Held,
            Code = DecisionOutcomes.CodeRefused,
            Reason = $"held: the migration engine refused it ({refusal}) — {decision.Reason}",
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = options.Value.Placement.EvaluateEverySeconds;
        if (every <= 0)
        {
            return;
        }

        await gate.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(every), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await EvaluateAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                PlacementLog.EvaluationFailed(logger, e);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        _one.Dispose();
        base.Dispose();
    }
}
