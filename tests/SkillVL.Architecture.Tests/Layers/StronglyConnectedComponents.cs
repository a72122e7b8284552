namespace SkillVL.Architecture.Tests.Layers;

/// <summary>
/// Tarjan's strongly connected components of a <see cref="FolderGraph"/>. A component of two or more folders is a cycle;
/// its "cycle edges" are the edges between two of its folders (cutting enough of them breaks it).
/// </summary>
public static class StronglyConnectedComponents
{
    /// <summary>Components of two or more folders, largest first (the reader adds no folder-to-itself edges).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(FolderGraph graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLink = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<IReadOnlyList<string>>();

        // Recursion is fine: a folder graph has a few dozen nodes.
        void Visit(string node)
        {
            index[node] = lowLink[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.Targets(node))
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    lowLink[node] = Math.Min(lowLink[node], lowLink[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLink[node] = Math.Min(lowLink[node], nextIndex);
                }
            }

            if (lowLink[node] != index[node])
            {
                return;
            }

            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != node);

            if (component.Count > 1)
            {
                component.Sort(StringComparer.Ordinal);
                components.Add(component);
            }
        }

        foreach (var node in graph.Nodes)
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components.OrderByDescending(c => c.Count).ThenBy(c => c[0], StringComparer.Ordinal).ToList();
    }

    /// <summary>Every edge between two folders of one cycle, as "From → To".</summary>
    public static IReadOnlyList<(string From, string To)> CycleEdges(FolderGraph graph, IReadOnlyList<IReadOnlyList<string>> cycles)
    {
        var edges = new List<(string, string)>();
        foreach (var cycle in cycles)
        {
            foreach (var from in cycle)
            {
                edges.AddRange(graph.Targets(from).Where(to => cycle.Contains(to)).Select(to => (from, to)));
            }
        }

        return edges;
    }
}
