using System.Globalization;
using SkillVL.Core.Quantities;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.Courses;

/// <summary>
/// What an apply may change in a course instance (issue 11, finding 3: a student re-applied theirs at 12 GiB, which
/// counted against the course's quota only). The teacher's published version decides the machines (count, names,
/// templates, CPUs, memory, node, labels, NICs and their addresses), the networks (count, names, CIDRs, MTUs), the
/// placement and the checks; the owner may change only layout (ui positions) and the description. A different room is published as
/// a new version, which the instance takes by an upgrade. Pure; compares the document as written.
/// </summary>
public static class CourseInstanceEdits
{
    public static IReadOnlyList<ValidationError> Check(RoomDefinition published, RoomDefinition proposed, int version)
    {
        var errors = new List<ValidationError>();
        var suffix = string.Create(CultureInfo.InvariantCulture, $"a course instance keeps what its teacher published (version {version}); only layout (ui) and the description may change");

        var networks = published.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        for (var i = 0; i < proposed.Networks.Count; i++)
        {
            var network = proposed.Networks[i];
            var path = $"networks[{Index(i)}]";
            if (!networks.TryGetValue(network.Name, out var was))
            {
                errors.Add(new($"{path}.name", $"'{network.Name}' is not a network of the published room: {suffix}"));
                continue;
            }

            Same(errors, $"{path}.cidr", was.Cidr, network.Cidr, suffix);
            Same(errors, $"{path}.mtu", Text(was.Mtu), Text(network.Mtu), suffix);
        }

        if (published.Networks.FirstOrDefault(n => proposed.Networks.All(p => p.Name != n.Name)) is { } droppedNetwork)
        {
            errors.Add(new("networks", $"network '{droppedNetwork.Name}' of the published room is missing: {suffix}"));
        }

        var machines = published.Machines.ToDictionary(m => m.Name, StringComparer.Ordinal);
        for (var i = 0; i < proposed.Machines.Count; i++)
        {
            var machine = proposed.Machines[i];
            var path = $"machines[{Index(i)}]";
            if (!machines.TryGetValue(machine.Name, out var was))
            {
                errors.Add(new($"{path}.name", $"'{machine.Name}' is not a machine of the published room: {suffix}"));
                continue;
            }

            Same(errors, $"{path}.template", was.Template, machine.Template, suffix);
            Same(errors, $"{path}.cpus", Text(was.Cpus), Text(machine.Cpus), suffix);
            Same(errors, $"{path}.memory", Memory(was.Memory), Memory(machine.Memory), suffix);
            Same(errors, $"{path}.node", was.Node ?? "(scheduler's choice)", machine.Node ?? "(scheduler's choice)", suffix);
            Same(errors, $"{path}.nodeLabels", Labels(was.NodeLabels), Labels(machine.NodeLabels), suffix);
            if (was.Nics.Count != machine.Nics.Count)
            {
                errors.Add(new($"{path}.nics", $"the published machine has {Index(was.Nics.Count)} NIC(s), not {Index(machine.Nics.Count)}: {suffix}"));
                continue;
            }

            for (var j = 0; j < machine.Nics.Count; j++)
            {
                Same(errors, $"{path}.nics[{Index(j)}].network", was.Nics[j].Network, machine.Nics[j].Network, suffix);
                Same(errors, $"{path}.nics[{Index(j)}].ip", was.Nics[j].Ip ?? "(none)", machine.Nics[j].Ip ?? "(none)", suffix);
            }
        }

        if (published.Machines.FirstOrDefault(m => proposed.Machines.All(p => p.Name != m.Name)) is { } droppedMachine)
        {
            errors.Add(new("machines", $"machine '{droppedMachine.Name}' of the published room is missing: {suffix}"));
        }

        Same(errors, "placement.policy", published.Placement?.Policy ?? "(the Server's)", proposed.Placement?.Policy ?? "(the Server's)", suffix);

        // The checks are how the teacher judges the exercise (ADR 0042): a student's own would pass whatever they did.
        if (!(published.Checks ?? []).SequenceEqual(proposed.Checks ?? []))
        {
            errors.Add(new("checks", $"the checks are the teacher's: {suffix}"));
        }

        return errors;
    }

    private static void Same(List<ValidationError> errors, string field, string published, string proposed, string suffix)
    {
        if (!string.Equals(published, proposed, StringComparison.Ordinal))
        {
            errors.Add(new(field, $"the published value is {published}, not {proposed}: {suffix}"));
        }
    }

    private static string Index(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "(the default)";

    /// <summary>"1Gi" and "1024Mi" are the same size; compare bytes where both read.</summary>
    private static string Memory(string? quantity) =>
        quantity is null ? "(the template's default)"
        : MemoryQuantity.TryParseBytes(quantity, out var bytes) ? MemoryQuantity.Format(bytes)
        : quantity;

    private static string Labels(IReadOnlyDictionary<string, string>? labels) =>
        labels is null or { Count: 0 } ? "(none)" : string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
