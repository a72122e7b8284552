using System.Text.Json.Serialization;
using SkillVL.Testbed.Status;

namespace SkillVL.Testbed.State;

/// <summary>Source-generated JSON for testbed.json and <c>status -o json</c> (camelCase, indented).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TestbedState))]
[JsonSerializable(typeof(TestbedStatus))]
internal sealed partial class TestbedJsonContext : JsonSerializerContext;
