namespace SkillVL.Architecture.Tests.Layers;

/// <summary>
/// "Folder A uses folder B" for the folders (first namespace segment under a root namespace) of one assembly. Each edge
/// keeps the type pairs that make it ("A.Type → B.Type"), so a printout can say what to cut.
/// </summary>
public sealed class FolderGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    public SortedSet<string> Nodes { get; } = new(StringComparer.Ordinal);

    public void AddNode(string folder) => Nodes.Add(folder);

    public void AddEdge(string from, string to, string fromType, string toType)
    {
        Nodes.Add(from);
        Nodes.Add(to);
        if (!_edges.TryGetValue(from, out var targets))
        {
            targets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            _edges.Add(from, targets);
        }

        if (!targets.TryGetValue(to, out var evidence))
        {
            evidence = new SortedSet<string>(StringComparer.Ordinal);
            targets.Add(to, evidence);
        }

        evidence.Add($"{fromType} → {toType}");
    }

    public IEnumerable<string> Targets(string from) =>
        _edges.TryGetValue(from, out var targets) ? targets.Keys : [];

    public bool HasEdge(string from, string to) => _edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

    /// <summary>The type pairs behind one edge, empty when there is no such edge.</summary>
    public IReadOnlyCollection<string> Evidence(string from, string to) =>
        _edges.TryGetValue(from, out var targets) && targets.TryGetValue(to, out var evidence) ? evidence : [];
}
