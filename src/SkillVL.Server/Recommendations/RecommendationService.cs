using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Migration;
using SkillVL.Core.Placement;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;

namespace SkillVL.Server.Recommendations;

/// <summary>
/// Asks the placement advisor about the machines the caller may see (ADR 0027): the running machines of the rooms
/// AccessService lets them see (a student's own, a teacher's also their courses', an admin's all), with their pins, and
/// the live signals, the link between two nodes being the one the latest migration between them measured where there was
/// one. Suggest mode only: nothing here moves a machine. A client node the caller may not know of (another
/// user's computer, NodeViews.Visible) is never named: such a move is left out for them.
/// </summary>
public sealed class RecommendationService(SkillVlDbContext db, AccessService access, IPlacementSignals signals)
{
    /// <summary>The <c>LinkSource</c> of a migration whose link the probe measured (MigrationRunner).</summary>
    private const string MeasuredLink = "measured";

    /// <summary>The recommendations for what the caller may see, best first; with <paramref name="shown"/>, only those of
    /// the rooms it keeps (the rooms whose placement policy is not off, ADR 0030).</summary>
    public async Task<IReadOnlyList<RecommendationInfo>> ListAsync(CurrentUser caller, CancellationToken cancellationToken, Func<RoomEntity, bool>? shown = null)
    {
        var advised = await AdviseAsync(caller, cancellationToken);
        return advised.Advice
            .Where(a => shown is null || shown(advised.Rooms[a.MachineId]))
            .Select(a => Accept(a, advised.Rooms[a.MachineId]))
            .ToList();
    }

    /// <summary>
    /// The advisor's answer for what the caller may see, with each machine's room and the candidates it judged (their
    /// pins): the placement controller's input (ADR 0030) as well as this API's.
    /// </summary>
    public async Task<Advised> AdviseAsync(CurrentUser caller, CancellationToken cancellationToken)
    {
        var rooms = await access.VisibleRooms(caller, db.ReadRooms())
            .Where(r => !r.DeletionRequested)
            .ToListAsync(cancellationToken);
        var allocated = await db.Machines.AsNoTracking()
            .GroupBy(m => m.NodeName)
            .Select(g => new { Node = g.Key, Bytes = g.Sum(m => m.MemoryBytes) })
            .ToDictionaryAsync(g => g.Node, g => g.Bytes, StringComparer.Ordinal, cancellationToken);
        var nodes = signals.Nodes(allocated);

        // A machine that is moving already is not advised about: accepting would meet the migration's 409.
        var moving = (await db.Migrations.AsNoTracking()
            .Where(m => m.State == MigrationStates.Pending || m.State == MigrationStates.Running)
            .Select(m => m.MachineId)
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

        var byMachineId = new Dictionary<string, RoomEntity>(StringComparer.Ordinal);
        var candidates = new List<PlacementCandidate>();
        foreach (var room in rooms)
        {
            var definition = RoomDocument.Parse(room.DefinitionJson).Definition;
            foreach (var machine in room.Machines.Where(m => m.ObservedState == MachineStates.Running && !moving.Contains(m.Id)))
            {
                byMachineId[machine.Id] = room;
                candidates.Add(new PlacementCandidate(
                    $"{room.Name}/{machine.Name}",
                    machine.Id,
                    room.OwnerId,
                    machine.NodeName,
                    // The dirty rate and the disk are not sampled yet (ADR 0027): the cost is RAM's, a lower bound.
                    new VmMigrationProfile { MemoryBytes = machine.MemoryBytes, TargetHasBase = true },
                    PinnedNode: definition?.Machines.FirstOrDefault(d => d.Name == machine.Name)?.Node,
                    OnlyTo: machine.CheckoutNode is not null ? machine.CheckoutRetainedOn : null));
            }
        }

        var measured = await MeasuredLinksAsync(cancellationToken);
        var known = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var input = new PlacementInput(
            nodes, candidates, (from, to) => measured.GetValueOrDefault((from, to)) ?? signals.Link(from, to), signals.ConsoleRoundTrip);
        var advice = PlacementAdvisor.Advise(input, new PlacementCriteria())
            .Where(a => Visible(caller, known[a.From]) && Visible(caller, known[a.To]))
            .ToList();
        return new Advised(advice, byMachineId, candidates.ToDictionary(c => c.MachineId, StringComparer.Ordinal), nodes);
    }

    /// <summary>The advisor's answer (best first) with each machine's room and its candidate entry, by machine id, and the
    /// nodes as the advisor saw them.</summary>
    public sealed record Advised(
        IReadOnlyList<PlacementRecommendation> Advice,
        IReadOnlyDictionary<string, RoomEntity> Rooms,
        IReadOnlyDictionary<string, PlacementCandidate> Candidates,
        IReadOnlyList<PlacementNode> Nodes);

    /// <summary>
    /// The link each earlier migration's probe measured, the latest per (source, target): measured beats configured.
    /// One direction only — a client's uplink and downlink differ.
    /// </summary>
    private async Task<Dictionary<(string From, string To), LinkMeasurement>> MeasuredLinksAsync(CancellationToken cancellationToken)
    {
        // SQLite cannot order by a DateTimeOffset, so the few columns come back and the latest is picked here.
        var rows = await db.Migrations.AsNoTracking()
            .Where(m => m.LinkSource == MeasuredLink && m.LinkJson != null)
            .Select(m => new { m.SourceNode, m.TargetNode, m.CreatedAt, m.LinkJson })
            .ToListAsync(cancellationToken);
        return rows
            .GroupBy(m => (m.SourceNode, m.TargetNode))
            .ToDictionary(g => g.Key, g => MigrationJson.Read<LinkMeasurement>(g.MaxBy(m => m.CreatedAt)!.LinkJson!));
    }

    /// <summary>NodeViews.Visible's rule: an admin any node; anyone else every node but other users' client nodes.</summary>
    private static bool Visible(CurrentUser caller, PlacementNode node) =>
        caller.IsAdmin || !node.IsClient || node.OwnerId is null || node.OwnerId == caller.Id;

    private static RecommendationInfo Accept(PlacementRecommendation advice, RoomEntity room)
    {
        var machine = room.Machines.Single(m => m.Id == advice.MachineId);
        var path = ApiPaths.Machine(room.Id, machine.Name);
        (string Path, Dictionary<string, string>? Body) accept = advice.Kind switch
        {
            PlacementKinds.VerticalToClient => (path + "/checkout", new Dictionary<string, string> { ["to"] = advice.To }),
            PlacementKinds.VerticalToServer when machine.CheckoutNode is not null => (path + "/checkin", null),
            _ => (ApiPaths.Migrations, new Dictionary<string, string> { ["machine"] = $"{room.Id}/{machine.Name}", ["to"] = advice.To }),
        };
        return new RecommendationInfo(
            advice.Machine, advice.MachineId, room.Id, advice.From, advice.To, advice.Kind, advice.Recommended, advice.Reason,
            advice.ConsoleBefore?.TotalMilliseconds, advice.ConsoleAfter?.TotalMilliseconds, advice.SourceCpu, advice.TargetCpu,
            advice.PredictedTime?.TotalMilliseconds, advice.PredictedDowntime?.TotalMilliseconds, advice.PredictedBytes,
            accept.Path, accept.Body);
    }
}
