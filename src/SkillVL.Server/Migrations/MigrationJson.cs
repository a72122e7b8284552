using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkillVL.Server.Migrations;

/// <summary>How the migration rows keep the policy's records (parameters, limits, link): as the API shows them.</summary>
public static class MigrationJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new JsonException($"A stored {typeof(T).Name} is null.");
}
