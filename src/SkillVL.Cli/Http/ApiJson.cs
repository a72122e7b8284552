using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkillVL.Cli.Http;

/// <summary>The server's JSON conventions (System.Text.Json web defaults: camelCase, enums as strings).</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>For <c>-o json</c>: indented, and non-ASCII text left readable rather than \u-escaped.</summary>
    public static readonly JsonSerializerOptions Indented = new(Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static T Read<T>(JsonElement element) =>
        (element.ValueKind == JsonValueKind.Undefined ? default : element.Deserialize<T>(Options))
        ?? throw new CliException($"the server answered nothing where a {typeof(T).Name} was expected", ExitCodes.Error);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
