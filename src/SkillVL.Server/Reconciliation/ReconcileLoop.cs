using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api;
using SkillVL.Core.Compute;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Logging;
using SkillVL.Server.Machines;
using SkillVL.Server.Nodes;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Reconciliation;

/// <summary>
/// Level-triggered reconciler (KubeVirt's vmi controller; KubeOps): every pass loads desired state from the
/// database and observed state from each node, and schedules at most one piece of work per key (machine,
/// orphan VM, network) so a slow stop never holds up other machines. It is restart-safe: it keeps no state
/// that the database and the nodes do not hold, so a new Server process re-adopts running VMs and removes
/// whatever no room wants any more (orphans) on its first pass. A machine with a migration in work
/// (<see cref="ActiveMigrations"/>) is left alone — neither reconciled nor swept on any node — and its room's networks
/// are kept on the migration's target too.
/// </summary>
public sealed class ReconcileLoop(
    IDbContextFactory<SkillVlDbContext> dbFactory,
    NodeRegistry nodes,
    TaskService tasks,
    MachineReconciler machineReconciler,
    ReconcileTrigger trigger,
    ActiveMigrations migrations,
    MachineActivity activity,
    StartupGate gate,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<ReconcileLoop> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// Rate-limited requeue: after a failed step a machine is not retried before this time (1 s, 2 s, 4 s …
    /// capped at 30 s). In memory on purpose: a restarted Server may retry at once.
    /// </summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _retryNotBefore = new(StringComparer.Ordinal);

    /// <summary>
    /// When the last step per key finished. A pass whose observation is older than that must not act on the
    /// key: it would see, say, a VM as it was before its start completed (no spec hash yet) and restart it.
    /// </summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _finishedAt = new(StringComparer.Ordinal);

    /// <summary>The network spec last ensured per "node/network", so a changed peer list is ensured again.</summary>
    private readonly ConcurrentDictionary<string, NetworkSpec> _ensuredNetworks = new(StringComparer.Ordinal);

    /// <summary>Room routers (ADR 0039): placement, what was ensured where, machines' gateways.</summary>
    private readonly RouterConvergence _routers = new(nodes, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await gate.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = true;
            try
            {
                busy = await PassAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.PassFailed(logger, ex);
            }

            var settings = options.Value;
            await trigger.WaitAsync(busy ? settings.ReconcileBusyInterval : settings.ReconcileInterval, time, stoppingToken);
        }

        // Let in-flight work finish its current step (bounded) so no half-written row is left behind.
        await WhenIdleAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Completes when the work the passes scheduled has ended, or after <paramref name="bound"/>.</summary>
    internal Task WhenIdleAsync(TimeSpan bound) =>
        Task.WhenAny(Task.WhenAll(_inFlight.Values), Task.Delay(bound, time, CancellationToken.None));

    /// <summary>One pass. Returns true when something is still converging (so the next pass comes sooner).</summary>
    internal async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        var snapshotAt = time.GetUtcNow();
        List<RoomEntity> rooms;
        List<FencedCopyEntity> fences;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            fences = await db.FencedCopies.AsNoTracking().ToListAsync(cancellationToken);
            rooms = await db.ReadRooms().ToListAsync(cancellationToken);
        }

        var live = rooms.Where(r => !r.DeletionRequested).ToList();
        var roomNames = live.ToDictionary(r => r.Id, r => r.Name, StringComparer.Ordinal);
        var cloudInits = live.ToDictionary(r => r.Id, MachineSpecs.CloudInitOf, StringComparer.Ordinal);
        var networksById = rooms.SelectMany(r => r.Networks).ToDictionary(n => n.Id, StringComparer.Ordinal);
        var liveMachines = live.SelectMany(r => r.Machines).ToList();
        var liveIds = liveMachines.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);

        // Fenced copies of live machines are set aside when their client returns; those of deleted machines are discarded.
        var pendingFences = fences.Where(f => f.FencedAt == null && liveIds.Contains(f.MachineId)).ToList();
        var orphanedFences = fences.Where(f => !liveIds.Contains(f.MachineId)).ToLookup(f => f.Node, StringComparer.Ordinal);
        var observedVmIds = new HashSet<string>(StringComparer.Ordinal);
        var observedNetworkIds = new HashSet<string>(StringComparer.Ordinal);
        var observedRouterIds = new HashSet<string>(StringComparer.Ordinal);
        var busy = false;

        var views = NodeViews();
        var liveById = live.ToDictionary(r => r.Id, StringComparer.Ordinal);
        _routers.RetainDefinitions(rooms.Select(r => r.Id));
        var plannedRouters = live.SelectMany(r => _routers.Plan(r, views)).ToList();
        foreach (var node in nodes.All)
        {
            IReadOnlyList<VmObservation> observed;
            IReadOnlyList<string> observedNetworks;
            IReadOnlyList<string> observedRouters;
            try
            {
                observed = await node.Vms.ListAsync(cancellationToken);
                activity.Observe(observed);
                observedNetworks = await node.Networks.ListAsync(cancellationToken);
                observedRouters = node.Routers is { } routers ? await routers.ListAsync(cancellationToken) : [];
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.NodeUnobservable(logger, node.Facts.Name, ex);
                busy = true;
                continue;
            }

            var observedById = observed.ToDictionary(o => o.Id, StringComparer.Ordinal);
            observedVmIds.UnionWith(observedById.Keys);
            observedNetworkIds.UnionWith(observedNetworks);
            observedRouterIds.UnionWith(observedRouters);
            var wantedHere = liveMachines.Where(m => m.NodeName == node.Facts.Name).ToList();
            var wantedIds = wantedHere.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);

            // Orphans: VMs no live room wants (deleted rooms, removed machines, leftovers of a crash). A migrating
            // machine's VM on its target is not one: the migration removes it itself if it fails.
            foreach (var orphan in observed.Where(o => !wantedIds.Contains(o.Id) && !migrations.IsMigrating(o.Id)))
            {
                busy = true;

                // A client's copy fenced by a revive is set aside and kept, never deleted (ADR 0025).
                if (Checkouts.FenceDecision.Pending(orphan.Id, node.Facts.Name, pendingFences) is { } fence)
                {
                    Schedule($"fence:{node.Facts.Name}/{orphan.Id}", ct => Checkouts.FenceOnReturn.RunAsync(dbFactory, node, fence, logger, ct), snapshotAt, cancellationToken);
                    continue;
                }

                Schedule($"vm:{orphan.Id}", async ct =>
                {
                    if (migrations.IsMigrating(orphan.Id) || await FreshPlacement.VmWantedOnAsync(dbFactory, orphan.Id, node.Facts.Name, ct))
                    {
                        return; // A migration or revive began after this pass looked, or one that ended moved it here.
                    }

                    Log.RemovingOrphanVm(logger, orphan.Id, node.Facts.Name);
                    await node.Vms.DeleteAsync(orphan.Id, ct);
                }, snapshotAt, cancellationToken);
            }

            if (orphanedFences[node.Facts.Name].ToList() is { Count: > 0 } gone)
            {
                busy = true;
                Schedule($"fenced:{node.Facts.Name}", ct => Checkouts.FencedCopies.DiscardOrphanedAsync(dbFactory, node, gone, logger, ct), snapshotAt, cancellationToken);
            }

            // Networks first, in the pass itself (a few fast `ip` calls), so machines find their bridges. A network
            // exists on a node only while a machine there (or migrating there) has a NIC on it; when that is more than
            // one node, each gets a VXLAN tunnel to the others (head-end replication to their underlay addresses).
            var wantedNetworks = new List<NetworkEntity>();
            var ensuredNow = new HashSet<string>(StringComparer.Ordinal);
            foreach (var room in live)
            {
                var networkNodes = NetworkNodes(room, views);
                foreach (var network in room.Networks)
                {
                    if (!networkNodes.TryGetValue(network.Id, out var layout) || !layout.Nodes.Contains(node.Facts.Name))
                    {
                        continue;
                    }

                    wantedNetworks.Add(network);
                    var spec = NetworkSpecFor(network, node, layout, views);
                    var key = $"{node.Facts.Name}/{network.Id}";
                    if (!observedNetworks.Contains(network.Id) || !_ensuredNetworks.TryGetValue(key, out var previous) || !SameSpec(previous, spec))
                    {
                        try
                        {
                            await node.Networks.EnsureAsync(spec, cancellationToken);
                            _ensuredNetworks[key] = spec;
                            ensuredNow.Add(network.Id);
                        }
                        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                        {
                            // One bad network (or a node that stopped answering) must not stop the pass for the
                            // other nodes, the tasks and the deletions: log it and try again next pass.
                            Log.WorkFailed(logger, $"net:{node.Facts.Name}/{network.Id}", ex);
                            _ensuredNetworks.TryRemove(key, out _);
                            busy = true;
                        }
                    }
                }
            }

            // Routers after the networks (their legs are ports of the bridges); those no live room wants here are swept.
            var routersHere = plannedRouters.Where(r => r.Node == node.Facts.Name).ToList();
            // A network ensured now may be a bridge made again (deleted by hand, or missing): its router legs are checked too.
            busy |= await _routers.EnsureAsync(node, observedRouters, routersHere, ensuredNow, cancellationToken);
            var wantedRouterIds = routersHere.Select(r => r.Spec.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in observedRouters.Where(id => !wantedRouterIds.Contains(id)))
            {
                busy = true;
                Schedule($"router:{node.Facts.Name}/{stale}", async ct =>
                {
                    Log.RemovingOrphanRouter(logger, stale, node.Facts.Name);
                    await node.Routers!.DeleteAsync(stale, ct);
                    _routers.Removed(node.Facts.Name, stale);
                }, snapshotAt, cancellationToken);
            }

            var wantedNetworkIds = wantedNetworks.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in observedNetworks.Where(id => !wantedNetworkIds.Contains(id)))
            {
                busy = true;
                Schedule($"net:{stale}", async ct =>
                {
                    if (await FreshPlacement.NetworkWantedOnAsync(dbFactory, stale, node.Facts.Name, ct))
                    {
                        return; // As for VMs: a move or revive committed after this pass read its rows.
                    }

                    Log.RemovingOrphanNetwork(logger, stale, node.Facts.Name);
                    await node.Networks.DeleteAsync(stale, ct);
                }, snapshotAt, cancellationToken);
            }

            foreach (var machine in wantedHere)
            {
                var spec = MachineSpecs.ToSpec(
                    machine, networksById, roomNames.GetValueOrDefault(machine.RoomId), cloudInits.GetValueOrDefault(machine.RoomId)?.GetValueOrDefault(machine.Name));
                var observation = observedById.GetValueOrDefault(machine.Id);
                busy |= !IsConverged(machine, spec);
                if (migrations.IsMigrating(machine.Id))
                {
                    continue; // The migration owns it until its final cleanup.
                }

                if (_retryNotBefore.TryGetValue(machine.Id, out var notBefore) && time.GetUtcNow() < notBefore)
                {
                    continue;
                }

                Schedule($"vm:{machine.Id}", async ct =>
                {
                    if (migrations.IsMigrating(machine.Id)
                        || (observation is null && !await FreshPlacement.VmWantedOnAsync(dbFactory, machine.Id, node.Facts.Name, ct)))
                    {
                        return; // Moving, or moved away after this pass read its rows: not to be made again here.
                    }

                    var routing = _routers.GuestRouting(liveById.GetValueOrDefault(machine.RoomId), machine);
                    var outcome = await machineReconciler.ReconcileAsync(node, machine, spec, observation, ct, routing);
                    await RecordAsync(machine, outcome, ct);
                }, snapshotAt, cancellationToken);
            }
        }

        busy |= await FinishDeletedRoomsAsync(rooms, observedVmIds, observedNetworkIds, observedRouterIds, cancellationToken);
        busy |= await AdvanceTasksAsync(rooms, networksById, snapshotAt, cancellationToken);
        return busy || !_inFlight.IsEmpty;
    }

    /// <summary>
    /// A node's agent connected again: what this process ensured on it may be gone (an agent that restarted lost its
    /// in-process room-network relays, ADR 0019; a client that rebooted lost its bridges, ADR 0024), so the next pass
    /// ensures its networks again instead of trusting the cache.
    /// </summary>
    public void ForgetEnsuredNetworks(string nodeName)
    {
        foreach (var key in _ensuredNetworks.Keys.Where(k => k.StartsWith(nodeName + "/", StringComparison.Ordinal)))
        {
            _ensuredNetworks.TryRemove(key, out _);
        }

        _routers.Forget(nodeName);
    }

    /// <summary>
    /// Ensures the room's networks now on every node they belong on — its machines' nodes and its migrations' targets —
    /// with VXLAN peers to each other, as a pass would. A migration calls it before preparing the target, so the target
    /// has the bridges for the VM's taps and the other nodes tunnel to it. Failures on <paramref name="requiredNode"/>
    /// throw; elsewhere they are logged and the next pass tries again.
    /// </summary>
    public async Task EnsureRoomNetworksAsync(string roomId, string requiredNode, CancellationToken cancellationToken)
    {
        RoomEntity? room;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            room = await db.ReadRooms().FirstOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        }

        if (room is null)
        {
            return;
        }

        var views = NodeViews();
        var networkNodes = NetworkNodes(room, views);
        foreach (var name in networkNodes.Values.SelectMany(n => n.Nodes).Distinct(StringComparer.Ordinal))
        {
            var node = nodes.Find(name);
            if (node is null || !nodes.IsReachable(node))
            {
                if (name == requiredNode)
                {
                    throw new Core.Errors.DriverException($"Node {name} is unreachable.", isTransient: true);
                }

                continue;
            }

            foreach (var network in room.Networks.Where(n => networkNodes.TryGetValue(n.Id, out var on) && on.Nodes.Contains(name)))
            {
                var spec = NetworkSpecFor(network, node, networkNodes[network.Id], views);
                try
                {
                    await node.Networks.EnsureAsync(spec, cancellationToken);
                    _ensuredNetworks[$"{name}/{network.Id}"] = spec;
                }
                catch (Exception ex) when (name != requiredNode && !cancellationToken.IsCancellationRequested)
                {
                    Log.WorkFailed(logger, $"net:{name}/{network.Id}", ex);
                    _ensuredNetworks.TryRemove($"{name}/{network.Id}", out _);
                }
            }
        }
    }

    /// <summary>
    /// The nodes each of a room's networks belongs on — where machines with a NIC on it are, where those are migrating
    /// to, and the hub that relays it for client nodes (ADR 0019) — and how they are joined.
    /// </summary>
    private Dictionary<string, NetworkLayout> NetworkNodes(RoomEntity room, IReadOnlyDictionary<string, NetworkNodeView> views) =>
        NetworkPlacement.NodesOf(
                room,
                migrations.All.Where(e => e.RoomId == room.Id).ToDictionary(e => e.MachineId, e => e.TargetNode, StringComparer.Ordinal),
                _routers.Plan(room, views))
            .ToDictionary(e => e.Key, e => NetworkLayouts.Plan(e.Value, views), StringComparer.Ordinal);

    /// <summary>Every known node as the network layout sees it (kind, addresses, relay port, reachability).</summary>
    private Dictionary<string, NetworkNodeView> NodeViews() =>
        nodes.Known.ToDictionary(
            n => n.Facts.Name,
            n => new NetworkNodeView(n.Facts.Name, n.Facts.Kind, n.Facts.UnderlayAddress, n.Facts.RelayPort, nodes.IsReachable(n)),
            StringComparer.Ordinal);

    /// <summary>The network as <paramref name="node"/> realises it: VXLAN between server nodes, a relay on clients and hubs.</summary>
    private NetworkSpec NetworkSpecFor(NetworkEntity network, INodeAgent node, NetworkLayout layout, IReadOnlyDictionary<string, NetworkNodeView> views) =>
        NetworkLayouts.SpecFor(network.Id, network.Mtu, network.Vni, options.Value.Overlay.Port, layout, node.Facts.Name, views);

    private static bool SameSpec(NetworkSpec a, NetworkSpec b) =>
        a.Id == b.Id && a.Mtu == b.Mtu && a.Relay == b.Relay
        && (a.Overlay, b.Overlay) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.Vni == y.Vni && x.LocalAddress == y.LocalAddress && x.Port == y.Port && x.Peers.SequenceEqual(y.Peers),
            _ => false,
        }
        && (a.RelayHub, b.RelayHub) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.ListenAddress == y.ListenAddress && x.Port == y.Port && x.Clients.SequenceEqual(y.Clients),
            _ => false,
        };

    /// <summary>Running with the current spec and the guest configured, or stopped, as desired.</summary>
    internal static bool IsConverged(MachineEntity machine, VmSpec spec) =>
        machine.DesiredState == MachineStates.Running
            ? machine.ObservedState == MachineStates.Running && machine.GuestReady && machine.ObservedSpecHash == spec.SpecHash
            : machine.ObservedState == MachineStates.Stopped;

    private void Schedule(string key, Func<CancellationToken, Task> work, DateTimeOffset observedAt, CancellationToken cancellationToken)
    {
        if ((_inFlight.TryGetValue(key, out var running) && !running.IsCompleted)
            || (_finishedAt.TryGetValue(key, out var finished) && finished >= observedAt))
        {
            return;
        }

        var task = Task.Run(async () =>
        {
            try
            {
                await work(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.WorkFailed(logger, key, ex);
            }
            finally
            {
                _finishedAt[key] = time.GetUtcNow();
                trigger.Poke();
            }
        }, CancellationToken.None);
        _inFlight[key] = task;
        _ = task.ContinueWith(t => _inFlight.TryRemove(new KeyValuePair<string, Task>(key, t)), TaskScheduler.Default);
    }

    private async Task RecordAsync(MachineEntity snapshot, MachineOutcome outcome, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var machine = await db.Machines.FirstOrDefaultAsync(m => m.Id == snapshot.Id, cancellationToken);
        if (machine is null)
        {
            return; // Removed from its room meanwhile; the orphan sweep takes the VM.
        }

        machine.ObservedState = outcome.ObservedState;
        machine.ObservedSpecHash = outcome.ObservedSpecHash;
        machine.ConfiguredBootId = outcome.ConfiguredBootId;
        // An apply may have reset GuestReady (new addresses) while this pass configured the old ones:
        // only trust the outcome when the row was not reset and the addresses are still the applied ones.
        var resetMeanwhile = snapshot.GuestReady && !machine.GuestReady;
        machine.GuestReady = outcome.GuestReady && !resetMeanwhile
            && (snapshot.GuestReady || await NicsUnchangedAsync(db, snapshot, cancellationToken));
        machine.LastError = outcome.Error;
        machine.ConsecutiveFailures = outcome.Failed ? machine.ConsecutiveFailures + 1
            : outcome.ObservedState is MachineStates.Starting or MachineStates.Running ? 0 : machine.ConsecutiveFailures;
        if (outcome.Failed)
        {
            var backoff = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, machine.ConsecutiveFailures - 1)));
            _retryNotBefore[snapshot.Id] = time.GetUtcNow() + backoff;
        }
        else
        {
            _retryNotBefore.TryRemove(snapshot.Id, out _);
        }

        if (outcome.DesiredStateOverride is not null)
        {
            machine.DesiredState = outcome.DesiredStateOverride;
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var message in outcome.Events)
        {
            Log.MachineEvent(logger, snapshot.Name, message);
        }

        if (outcome.Events.Count > 0)
        {
            var open = await db.Tasks.AsNoTracking()
                .Where(t => t.RoomId == snapshot.RoomId && (t.State == TaskStates.Running || t.State == TaskStates.Queued))
                .Select(t => t.Id)
                .ToListAsync(cancellationToken);
            foreach (var taskId in open)
            {
                foreach (var message in outcome.Events)
                {
                    await tasks.LogAsync(taskId, message, cancellationToken);
                }
            }
        }
    }

    /// <summary>True when the NICs (addresses) are still what the snapshot had, i.e. what was just applied.</summary>
    private static async Task<bool> NicsUnchangedAsync(SkillVlDbContext db, MachineEntity snapshot, CancellationToken cancellationToken)
    {
        var now = await db.Nics.AsNoTracking().Where(n => n.MachineId == snapshot.Id).ToListAsync(cancellationToken);
        return now.Count == snapshot.Nics.Count
            && now.All(n => snapshot.Nics.Any(s => s.Id == n.Id && s.Ip == n.Ip));
    }

    private async Task<bool> FinishDeletedRoomsAsync(
        List<RoomEntity> rooms,
        HashSet<string> observedVmIds,
        HashSet<string> observedNetworkIds,
        HashSet<string> observedRouterIds,
        CancellationToken cancellationToken)
    {
        var pending = false;
        foreach (var room in rooms.Where(r => r.DeletionRequested))
        {
            var routerIds = RouterPlacement.IdsOf(room, _routers.DefinitionOf(room)).ToList();
            var remaining = room.Machines.Count(m => observedVmIds.Contains(m.Id))
                + room.Networks.Count(n => observedNetworkIds.Contains(n.Id))
                + routerIds.Count(observedRouterIds.Contains);
            if (remaining > 0 || _inFlight.Keys.Any(k => room.Machines.Any(m => k == $"vm:{m.Id}") || room.Networks.Any(n => k == $"net:{n.Id}")
                || routerIds.Any(id => k.StartsWith("router:", StringComparison.Ordinal) && k.EndsWith("/" + id, StringComparison.Ordinal))))
            {
                pending = true;
                continue;
            }

            // A checked-out machine's retained copy goes with it (ADR 0023); its node must answer first.
            if (!await Checkouts.RetainedRelease.ReleaseAsync(room, nodes, logger, cancellationToken))
            {
                pending = true;
                continue;
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var entity = await db.Rooms.FirstOrDefaultAsync(r => r.Id == room.Id, cancellationToken);
            if (entity is not null)
            {
                db.Rooms.Remove(entity);
                await db.SaveChangesAsync(cancellationToken);
            }

            var open = await tasks.ListOpenAsync(cancellationToken);
            foreach (var task in open.Where(t => t.RoomId == room.Id))
            {
                var deleted = task.Kind == "room.delete";
                await tasks.CompleteAsync(
                    task.Id,
                    deleted,
                    deleted
                        ? $"Room {room.Name} deleted: {room.Machines.Count} VM(s) and {room.Networks.Count} network(s) removed."
                        : $"Room {room.Name} was deleted before this task finished.",
                    cancellationToken);
            }
        }

        return pending;
    }

    private async Task<bool> AdvanceTasksAsync(
        List<RoomEntity> rooms,
        IReadOnlyDictionary<string, NetworkEntity> networksById,
        DateTimeOffset snapshotAt,
        CancellationToken cancellationToken)
    {
        var open = await tasks.ListOpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var task in open)
        {
            if (task.CreatedAt >= snapshotAt)
            {
                // Opened after this pass loaded desired state: judging it now would compare against the
                // state before the request (a stop would "succeed" on a still-running VM). Next pass.
                continue;
            }

            var room = rooms.FirstOrDefault(r => r.Id == task.RoomId);
            if (room is null)
            {
                // The room row is gone: only a delete can have done that.
                await tasks.CompleteAsync(task.Id, task.Kind == "room.delete", task.Kind == "room.delete" ? "Room deleted." : "The room no longer exists.", cancellationToken);
                continue;
            }

            if (task.Kind == "room.delete")
            {
                continue; // Finished by FinishDeletedRoomsAsync.
            }

            var machines = task.MachineId is null ? room.Machines : room.Machines.Where(m => m.Id == task.MachineId).ToList();
            if (AwaitsGeneration(task.Kind) && room.Generation > task.AwaitedGeneration)
            {
                await tasks.CompleteAsync(task.Id, false, $"Superseded by generation {room.Generation} of room {room.Name}.", cancellationToken);
                continue;
            }

            if (task.Kind == "machine.restart" && machines.All(m => m.RestartNonce > task.AwaitedGeneration))
            {
                await tasks.CompleteAsync(task.Id, false, "Superseded by a later restart.", cancellationToken);
                continue;
            }

            var converged = machines.Count(m => IsConverged(m, MachineSpecs.ToSpec(m, networksById)));
            var failed = machines.FirstOrDefault(m => m.ObservedState == MachineStates.Error);
            if (failed is not null)
            {
                await tasks.CompleteAsync(task.Id, false, $"Machine {failed.Name} failed: {failed.LastError ?? "it could not be started"}.", cancellationToken);
                continue;
            }

            if (converged == machines.Count)
            {
                if (AwaitsGeneration(task.Kind))
                {
                    await MarkObservedAsync(room.Id, task.AwaitedGeneration ?? room.Generation, cancellationToken);
                }

                var running = machines.Count(m => m.DesiredState == MachineStates.Running);
                await tasks.CompleteAsync(
                    task.Id,
                    true,
                    task.Kind.StartsWith("room.", StringComparison.Ordinal)
                        ? $"Room {room.Name} ready: {running} of {machines.Count} machine(s) running with guest agents answering."
                        : $"Machine {room.Name}/{machines[0].Name} is {machines[0].DesiredState}.",
                    cancellationToken);
                continue;
            }

            if (now - task.CreatedAt > options.Value.TaskTimeout)
            {
                var waiting = string.Join(", ", machines.Where(m => !IsConverged(m, MachineSpecs.ToSpec(m, networksById))).Select(m => $"{m.Name} ({m.ObservedState})"));
                await tasks.CompleteAsync(task.Id, false, $"Timed out after {options.Value.TaskTimeout} waiting for: {waiting}.", cancellationToken);
                continue;
            }

            var progress = machines.Count == 0 ? 1 : (double)converged / machines.Count;
            if (Math.Abs(progress - task.Progress) > 0.0001)
            {
                await tasks.ProgressAsync(task.Id, progress, null, cancellationToken);
            }
        }

        return open.Count > 0;
    }

    /// <summary>Tasks that converge a new generation of the room's definition.</summary>
    private static bool AwaitsGeneration(string kind) => kind is "room.apply" or "room.reset" or "room.upgrade";

    private async Task MarkObservedAsync(string roomId, long generation, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var room = await db.Rooms.FirstOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        if (room is not null && room.ObservedGeneration < generation)
        {
            room.ObservedGeneration = generation;
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
