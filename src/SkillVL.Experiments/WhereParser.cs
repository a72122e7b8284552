using YamlDotNet.RepresentationModel;

namespace SkillVL.Experiments;

/// <summary>
/// The spec's <c>where</c>: <c>testbed</c> (the default: the runner creates one on this machine) or
/// <c>{ nodes: { from: NODE, to: NODE }, template: NAME }</c> (<see cref="ExistingNodes"/>), and what existing nodes rule
/// out: a link the runner would have to set (more than one bandwidth or RTT, any loss) and raw writes on a template that
/// is not the runner's own (<c>written</c>).
/// </summary>
internal static class WhereParser
{
    private static readonly string[] Keys = ["nodes", "template"];

    /// <summary>Null for a testbed; the nodes otherwise. Errors name their field.</summary>
    public static ExistingNodes? Parse(YamlMappingNode root, List<string> errors)
    {
        if (!root.Children.TryGetValue("where", out var node) || node is YamlScalarNode { Value: null or "" or "testbed" })
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            errors.Add($"where: \"{node}\" is not testbed or {{ nodes: {{ from: NODE, to: NODE }}, template: NAME }}");
            return null;
        }

        foreach (var key in map.Children.Keys.Select(k => k.ToString()).Where(k => !Keys.Contains(k)))
        {
            errors.Add($"where.{key}: unknown field (known: {string.Join(", ", Keys)})");
        }

        var template = map.Children.TryGetValue("template", out var t) && t is YamlScalarNode { Value: { Length: > 0 } name } ? name.Trim() : null;
        if (template is null)
        {
            errors.Add("where.template: the name of the Server's template the VMs are made from is required on existing nodes");
        }

        if (!map.Children.TryGetValue("nodes", out var n) || n is not YamlMappingNode nodes)
        {
            errors.Add("where.nodes: { from: NODE, to: NODE } expected");
            return null;
        }

        var from = Name(nodes, "from", errors);
        var to = Name(nodes, "to", errors);
        if (from is not null && from == to)
        {
            errors.Add($"where.nodes.to: \"{to}\" is also from; a move needs two nodes");
        }

        return from is null || to is null || template is null ? null : new ExistingNodes(from, to, template);
    }

    /// <summary>What existing nodes cannot do: each error names the factor.</summary>
    public static void Check(YamlMappingNode root, IReadOnlyCollection<ExperimentCell> cells, List<string> errors)
    {
        // Stated in factors, or in every listed cell of a list design.
        var given = root.Children.TryGetValue("factors", out var f) && f is YamlMappingNode factors
            ? factors.Children.Keys.Select(k => k.ToString()).ToHashSet()
            : [];
        if (root.Children.TryGetValue("cells", out var c) && c is YamlSequenceNode { Children.Count: > 0 } listed)
        {
            var maps = listed.Children.OfType<YamlMappingNode>().ToList();
            given.UnionWith(new[] { Factor.Bandwidth, Factor.Rtt }.Where(k => maps.Count == listed.Children.Count && maps.All(m => m.Children.ContainsKey(k))));
        }

        foreach (var factor in new[] { Factor.Bandwidth, Factor.Rtt })
        {
            if (!given.Contains(factor))
            {
                errors.Add($"factors.{factor}: on existing nodes the runner cannot set the link; state the one you have (the model predicts with it, the measured link is recorded beside it)");
            }
            else if (cells.Select(c => c.Level(factor)).Distinct().Count() > 1)
            {
                errors.Add($"factors.{factor}: one level on existing nodes (the link is what it is; the runner cannot vary it)");
            }
        }

        if (cells.Any(c => c.LossFraction > 0))
        {
            errors.Add($"factors.{Factor.Loss}: the runner cannot add loss to a real link; leave it out on existing nodes");
        }

        if (cells.Any(c => c.WrittenBytes > 0))
        {
            errors.Add($"factors.{Factor.Written}: the overlay is written as raw blocks at the disk's end, which could overwrite a template's filesystem; only on a testbed, whose templates the runner builds");
        }

        if (cells.Select(c => c.DiskBytes).Distinct().Count() > 1)
        {
            errors.Add($"factors.{Factor.Disk}: one level on existing nodes (the template's disk)");
        }
    }

    private static string? Name(YamlMappingNode nodes, string key, List<string> errors)
    {
        if (nodes.Children.TryGetValue(key, out var value) && value is YamlScalarNode { Value: { Length: > 0 } name })
        {
            return name.Trim();
        }

        errors.Add($"where.nodes.{key}: a node's name expected");
        return null;
    }
}
