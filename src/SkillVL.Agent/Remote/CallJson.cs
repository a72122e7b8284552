using System.Text.Json;
using SkillVL.Core.Errors;

namespace SkillVL.Agent.Remote;

/// <summary>A call's parameters and result as the agent channel carries them (JSON of <see cref="AgentChannel.Json"/>),
/// for every dispatcher of the agent's calls.</summary>
internal static class CallJson
{
    public static T Param<T>(JsonElement? parameters) =>
        (parameters is { } p ? p.Deserialize<T>(AgentChannel.Json) : default)
            ?? throw new DriverException($"A call arrived without its {typeof(T).Name} parameters.");

    public static JsonElement Result<T>(T value) => JsonSerializer.SerializeToElement(value, AgentChannel.Json);
}
