using System.Text;
using SkillVL.Server.Data;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Architecture.Tests.Layers;

/// <summary>
/// The Server's folders are layers (ADR 0048): the graph "folder A uses folder B", read from the compiled IL, has no
/// cycle except the edges listed in <see cref="KnownCycleEdges"/>, and that list only shrinks — a new edge inside a cycle fails the test, and so
/// does a listed edge that no longer closes a cycle (delete its line).
/// </summary>
public sealed class ServerLayersTests(ITestOutputHelper output)
{
    private const string Root = "SkillVL.Server";

    [Fact]
    public void ServerFolders_FormNoCycleBeyondTheKnownEdges()
    {
        var graph = FolderGraphReader.Read(typeof(SkillVlDbContext).Assembly.Location, Root);
        var cycles = StronglyConnectedComponents.Cycles(graph);
        var edges = StronglyConnectedComponents.CycleEdges(graph, cycles).Select(e => $"{e.From} → {e.To}").ToList();
        var report = Report(graph, cycles);
        output.WriteLine(report);

        var added = edges.Where(e => !KnownCycleEdges.Edges.ContainsKey(e)).ToList();
        var gone = KnownCycleEdges.Edges.Keys.Where(e => !edges.Contains(e)).ToList();

        // One assertion for both, so a change that adds some edges and removes others shows all of them at once.
        Assert.True(
            added.Count == 0 && gone.Count == 0,
            $"New edges inside a cycle of the Server's folders (cut them, ADR 0048): {string.Join(", ", added)}\n"
            + $"Listed cycle edges that no longer close a cycle (delete their lines in KnownCycleEdges): {string.Join(", ", gone)}\n{report}");
    }

    private static string Report(FolderGraph graph, IReadOnlyList<IReadOnlyList<string>> cycles)
    {
        var text = new StringBuilder();
        text.AppendLine($"{graph.Nodes.Count} folders; strongly connected components of more than one folder: {(cycles.Count == 0 ? "none" : string.Join(", ", cycles.Select(c => c.Count)))}");
        foreach (var cycle in cycles)
        {
            text.AppendLine($"SCC of {cycle.Count}: {string.Join(", ", cycle)}");
            foreach (var (from, to) in StronglyConnectedComponents.CycleEdges(graph, [cycle]))
            {
                var evidence = graph.Evidence(from, to);
                text.AppendLine($"  {from} → {to} ({evidence.Count} type pair{(evidence.Count == 1 ? "" : "s")})");
                foreach (var pair in evidence)
                {
                    text.AppendLine($"      {pair}");
                }
            }
        }

        return text.ToString();
    }
}
