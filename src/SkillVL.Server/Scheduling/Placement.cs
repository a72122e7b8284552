using SkillVL.Core.Rooms;

namespace SkillVL.Server.Scheduling;

/// <summary>
/// Places machines on nodes (pure, table-tested). Existing machines stay where they are (moving one is a
/// migration). A machine with an explicit node goes there if that node is known, not drained and has the memory;
/// the rest go by policy over reachable, undrained nodes with room: "spread" picks the node with the most free
/// memory (then the fewest machines), "pack" the fullest node that still fits. Memory is the hard limit; vCPUs
/// may be overcommitted. A kept machine that grows must still fit on its node (issue 11: a resize never checked).
/// Client nodes (students' machines) take only machines that name them. Node memory here is already scaled by the
/// operator's overcommit ratio (SkillVL:MemoryOvercommit, default 1.0).
/// </summary>
public static class Placement
{
    public const string Spread = "spread";
    public const string Pack = "pack";

    public static (Dictionary<string, string> Nodes, List<ValidationError> Errors) Plan(
        IReadOnlyList<MachineRequest> machines, IReadOnlyList<NodeCapacity> nodes, string policy)
    {
        var free = nodes.ToDictionary(n => n.Name, n => n.FreeMemoryBytes, StringComparer.Ordinal);
        var count = nodes.ToDictionary(n => n.Name, n => n.Machines, StringComparer.Ordinal);
        var byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var placed = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<ValidationError>();

        foreach (var machine in machines.Where(m => m.CurrentNode is not null))
        {
            var path = $"machines[{machine.Index}].node";
            if (machine.Node is not null && machine.Node != machine.CurrentNode)
            {
                errors.Add(new(path, $"machine '{machine.Name}' runs on node '{machine.CurrentNode}'; moving it to '{machine.Node}' is a migration, not an edit of the room."));
                continue;
            }

            placed[machine.Name] = machine.CurrentNode!;
            Take(machine.CurrentNode!, machine);
        }

        // Only growth is refused: a machine that keeps or lowers its memory on a node that is over (an older
        // version's overcommit, a node that came back smaller) must stay editable, as with quotas.
        foreach (var machine in machines.Where(m => m.CurrentNode is not null && m.MemoryBytes > m.CurrentMemoryBytes))
        {
            if (free.TryGetValue(machine.CurrentNode!, out var left) && left < 0)
            {
                var growth = machine.MemoryBytes - machine.CurrentMemoryBytes!.Value;
                errors.Add(new(
                    $"machines[{machine.Index}].memory",
                    $"machine '{machine.Name}' cannot grow from {Mi(machine.CurrentMemoryBytes.Value)} to {Mi(machine.MemoryBytes)} on node '{machine.CurrentNode}': "
                    + $"the node has {Mi(Math.Max(0, left + growth))} of memory free, the change needs {Mi(growth)} more. Keep the size, or move the machine first."));
            }
        }

        // Explicit placements first, so the scheduler's choices do not take the room they asked for.
        foreach (var machine in machines.Where(m => m.CurrentNode is null && m.Node is not null))
        {
            var path = $"machines[{machine.Index}].node";
            if (!byName.TryGetValue(machine.Node!, out var node))
            {
                // Client nodes are not named: they are people's own computers, which other users do not see (issue 12).
                var shared = nodes.Where(n => n.Kind != "client").Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
                var known = shared.Count == 0 ? "none" : string.Join(", ", shared);
                errors.Add(new(path, $"'{machine.Node}' is not a known node (known: {known})."));
            }
            else if (!Carries(node, machine.Labels))
            {
                errors.Add(new(path, $"node '{node.Name}' lacks the labels the machine asks for ({Describe(machine.Labels)})."));
            }
            else if (node.Drained)
            {
                errors.Add(new(path, $"node '{node.Name}' is drained: it takes no new machines."));
            }
            else if (free[node.Name] < machine.MemoryBytes)
            {
                // Not how much is free: that is other users' allocation, which only an admin sees (issue 11, finding 9).
                errors.Add(new(path, $"node '{node.Name}' is full: it has less memory free than machine '{machine.Name}' needs ({Mi(machine.MemoryBytes)})."));
            }
            else
            {
                placed[machine.Name] = node.Name;
                Take(node.Name, machine);
            }
        }

        foreach (var machine in machines.Where(m => m.CurrentNode is null && m.Node is null))
        {
            // Client nodes are people's own machines: only machines placed there explicitly go there.
            var eligible = nodes.Where(n => n.Reachable && !n.Drained && n.Kind != "client" && Carries(n, machine.Labels)).ToList();
            var candidates = eligible.Where(n => free[n.Name] >= machine.MemoryBytes).ToList();
            if (candidates.Count == 0)
            {
                errors.Add(new($"machines[{machine.Index}]", eligible.Count > 0
                    ? $"no node has {Mi(machine.MemoryBytes)} of memory free for machine '{machine.Name}'."
                    : machine.Labels is { Count: > 0 }
                        ? $"no reachable, undrained node carries the labels {Describe(machine.Labels)} machine '{machine.Name}' asks for."
                        : $"no node takes machines now (all are unreachable or drained) for machine '{machine.Name}'."));
                continue;
            }

            var chosen = policy == Pack
                ? candidates.OrderBy(n => free[n.Name]).ThenBy(n => n.Name, StringComparer.Ordinal).First()
                : candidates.OrderByDescending(n => free[n.Name]).ThenBy(n => count[n.Name]).ThenBy(n => n.Name, StringComparer.Ordinal).First();
            placed[machine.Name] = chosen.Name;
            Take(chosen.Name, machine);
        }

        return (placed, errors);

        void Take(string node, MachineRequest machine)
        {
            if (free.ContainsKey(node))
            {
                free[node] -= machine.MemoryBytes;
                count[node]++;
            }
        }
    }

    /// <summary>
    /// Why setting <paramref name="starting"/> to run would overcommit their nodes, or null when they fit. Each node's
    /// <see cref="NodeCapacity.AllocatedMemoryBytes"/> is the memory of the machines already meant to run there (the
    /// starting ones excluded). Placement reserves a stopped machine's memory too, so this refuses only where that
    /// reservation no longer holds: a node that came back smaller, a lowered overcommit ratio, an older version's data.
    /// </summary>
    public static string? CheckStart(IReadOnlyList<MachineRequest> starting, IReadOnlyList<NodeCapacity> nodes)
    {
        foreach (var group in starting.Where(m => m.CurrentNode is not null).GroupBy(m => m.CurrentNode!, StringComparer.Ordinal))
        {
            var node = nodes.FirstOrDefault(n => n.Name == group.Key);
            if (node is null)
            {
                continue; // An unknown node is the reconciler's to report; there is no capacity to check against.
            }

            var wanted = group.Sum(m => m.MemoryBytes);
            if (wanted > node.FreeMemoryBytes)
            {
                var names = string.Join(", ", group.Select(m => $"'{m.Name}' ({Mi(m.MemoryBytes)})"));
                return $"Starting {names} on node '{node.Name}' needs {Mi(wanted)} of memory; the node has {Mi(Math.Max(0, node.FreeMemoryBytes))} free "
                    + $"({Mi(node.AllocatedMemoryBytes)} of {Mi(node.MemoryBytes)} taken by running machines). Stop another machine first.";
            }
        }

        return null;
    }

    private static string Mi(long bytes) => $"{bytes >> 20} MiB";

    private static bool Carries(NodeCapacity node, IReadOnlyDictionary<string, string>? labels) =>
        labels is null || labels.All(l => node.Labels is not null && node.Labels.TryGetValue(l.Key, out var value) && value == l.Value);

    private static string Describe(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? "" : string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"));
}
