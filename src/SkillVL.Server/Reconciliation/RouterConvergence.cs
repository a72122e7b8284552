using System.Collections.Concurrent;
using System.Text.Json;
using SkillVL.Core.Nodes;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Logging;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// The reconciler's room routers (ADR 0039): which node hosts each router of a live room (derived every pass, see
/// <see cref="RouterPlacement"/>), ensuring them there after the node's networks (their legs are ports of the bridges),
/// and each machine's default gateway and name server for the guest script. Like networks, a router spec already ensured
/// on a node is not sent again until it changes or the node's agent reconnects.
/// </summary>
internal sealed class RouterConvergence(NodeRegistry nodes, ILogger logger)
{
    /// <summary>Room id → its stored definition, parsed once per change of the JSON.</summary>
    private readonly ConcurrentDictionary<string, (string Json, RoomDefinition? Definition)> _definitions = new(StringComparer.Ordinal);

    /// <summary>"node/router id" → the spec (as JSON) last ensured there.</summary>
    private readonly ConcurrentDictionary<string, string> _ensured = new(StringComparer.Ordinal);

    public RoomDefinition? DefinitionOf(RoomEntity room)
    {
        if (_definitions.TryGetValue(room.Id, out var cached) && cached.Json == room.DefinitionJson)
        {
            return cached.Definition;
        }

        var definition = RoomDocument.Parse(room.DefinitionJson).Definition;
        _definitions[room.Id] = (room.DefinitionJson, definition);
        return definition;
    }

    /// <summary>Forgets the parsed definitions of rooms no longer stored (each pass, with the rooms it read).</summary>
    public void RetainDefinitions(IEnumerable<string> roomIds)
    {
        var stored = roomIds.ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _definitions.Keys.Where(id => !stored.Contains(id)).ToList())
        {
            _definitions.TryRemove(gone, out _);
        }
    }

    /// <summary>The live room's routers, placed on server or edge nodes whose node offers routers.</summary>
    public IReadOnlyList<PlannedRouter> Plan(RoomEntity room, IReadOnlyDictionary<string, NetworkNodeView> views) =>
        room.DeletionRequested
            ? []
            : RouterPlacement.Plan(room, DefinitionOf(room), name => views.TryGetValue(name, out var view) && !view.IsClient && nodes.Find(name)?.Routers is not null);

    /// <summary>The machine's default gateway and name server as its room says (null: untouched in the guest).</summary>
    public (string? Gateway, string? NameServer) GuestRouting(RoomEntity? room, MachineEntity machine)
    {
        if (room is null || DefinitionOf(room) is not { } definition || definition.Machines.FirstOrDefault(m => m.Name == machine.Name) is not { } wanted)
        {
            return (null, null);
        }

        return (RoomRouting.DefaultGateway(definition, wanted), RoomRouting.NameServer(definition, wanted));
    }

    /// <summary>
    /// Ensures on <paramref name="node"/> each router planned there that it lacks or has with another spec, or that has a
    /// leg on a network ensured in this pass (<paramref name="networksEnsured"/>): a bridge made again has lost the
    /// router's veth, which the node's ensure puts back (issue 18). Inline in the pass (a few <c>ip</c> calls and a
    /// dnsmasq start), after the node's networks. Returns true when one failed: logged, forgotten, and tried again next pass.
    /// </summary>
    public async Task<bool> EnsureAsync(
        INodeAgent node, IReadOnlyList<string> observed, IEnumerable<PlannedRouter> wanted, IReadOnlySet<string> networksEnsured, CancellationToken cancellationToken)
    {
        if (node.Routers is not { } routers)
        {
            return false;
        }

        var failed = false;
        foreach (var router in wanted)
        {
            var key = $"{node.Facts.Name}/{router.Spec.Id}";
            var json = JsonSerializer.Serialize(router.Spec);
            if (observed.Contains(router.Spec.Id) && _ensured.TryGetValue(key, out var previous) && previous == json
                && !router.Spec.Legs.Any(l => networksEnsured.Contains(l.NetworkId)))
            {
                continue;
            }

            try
            {
                await routers.EnsureAsync(router.Spec, cancellationToken);
                _ensured[key] = json;
                Log.RouterEnsured(logger, router.Spec.Id, router.RoomId, router.Name, node.Facts.Name);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.WorkFailed(logger, $"router:{node.Facts.Name}/{router.Spec.Id}", ex);
                _ensured.TryRemove(key, out _);
                failed = true;
            }
        }

        return failed;
    }

    /// <summary>The node's agent connected again: its routers are ensured again on the next pass.</summary>
    public void Forget(string nodeName)
    {
        foreach (var key in _ensured.Keys.Where(k => k.StartsWith(nodeName + "/", StringComparison.Ordinal)))
        {
            _ensured.TryRemove(key, out _);
        }
    }

    /// <summary>A router removed from a node: ensured again if it is wanted there later.</summary>
    public void Removed(string nodeName, string routerId) => _ensured.TryRemove($"{nodeName}/{routerId}", out _);
}
