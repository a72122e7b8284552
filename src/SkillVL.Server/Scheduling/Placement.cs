using SkillVL.Core.Rooms;

namespace SkillVL.Server.Scheduling;

/// <summary>
/// Places machines on nodes (pure, table-tested). Existing machines stay where they are (moving one is a
/// migration). A machine with an explicit node goes there if that node is known, not drained and has the memory;
/// the rest go by policy over reachable, undrained nodes with room: "spread" picks the node with the most free
/// memory (then the fewest machines), "pack" the fullest node that still fits. Memory is the hard limit; vCPUs
/// may be overcommitted. Client nodes (students' machines) take only machines that name them.
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

        // Explicit placements first, so the scheduler's choices do not take the room they asked for.
        foreach (var machine in machines.Where(m => m.CurrentNode is null && m.Node is not null))
        {
            var path = $"machines[{machine.Index}].node";
            if (!byName.TryGetValue(machine.Node!, out var node))
            {
                var known = nodes.Count == 0 ? "none" : string.Join(", ", nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
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

    private static string Mi(long bytes) => $"{bytes >> 20} MiB";

    private static bool Carries(NodeCapacity node, IReadOnlyDictionary<string, string>? labels) =>
        labels is null || labels.All(l => node.Labels is not null && node.Labels.TryGetValue(l.Key, out var value) && value == l.Value);

    private static string Describe(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? "" : string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"));
}
