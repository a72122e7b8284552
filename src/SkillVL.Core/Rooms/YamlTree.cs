using System.Text.Json.Nodes;

namespace SkillVL.Core.Rooms;

/// <summary>A YAML document read into JSON nodes, with where each field starts in the text.</summary>
/// <param name="Root">The document's root node.</param>
/// <param name="Positions">1-based (line, column) of each field, keyed by its <see cref="FieldPath"/>.</param>
internal sealed record YamlTree(JsonNode? Root, IReadOnlyDictionary<string, (int Line, int Column)> Positions);
