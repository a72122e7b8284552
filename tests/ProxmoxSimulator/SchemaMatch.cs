using System.Text.Json;

namespace SkillVL.ProxmoxSimulator;

/// <summary>A request path resolved to a schema method: its template, the values of its placeholders, its definition.</summary>
public sealed record SchemaMatch(string Method, string Template, IReadOnlyDictionary<string, string> PathValues, JsonElement Definition);
