using System.Text.Json;
using System.Text.Json.Nodes;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// The web UI's API types are generated from <c>web/openapi.json</c> (<c>npm run gen:api</c>); that file must be what the
/// Server serves at <c>/openapi/v1.json</c>, or a route or field added on the Server is missing in the web's types. Run
/// with <c>SKILLVL_UPDATE_OPENAPI=1</c> to rewrite the file from the Server (then <c>cd web &amp;&amp; npm run gen:api</c>).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task WebOpenApiJson_IsTheServersDocument()
    {
        await using var server = await ServerHarness.StartAsync();
        var served = Normalise(await server.Client.GetStringAsync("/openapi/v1.json"));
        var file = Path.Combine(RepositoryRoot.Find(), "web", "openapi.json");
        var committed = Normalise(await File.ReadAllTextAsync(file));

        if (!JsonNode.DeepEquals(served, committed) && Environment.GetEnvironmentVariable("SKILLVL_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(file, served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
            return;
        }

        var servedPaths = Operations(served);
        var committedPaths = Operations(committed);
        Assert.True(
            JsonNode.DeepEquals(served, committed),
            "web/openapi.json is not the Server's document; regenerate it: SKILLVL_UPDATE_OPENAPI=1 dotnet test tests/SkillVL.IntegrationTests "
            + "--filter FullyQualifiedName~OpenApiDocumentTests, then cd web && npm run gen:api. "
            + $"Only served: {string.Join(", ", servedPaths.Except(committedPaths))}; only in the file: {string.Join(", ", committedPaths.Except(servedPaths))}");
    }

    /// <summary>The document without its <c>servers</c> (the harness's random port).</summary>
    private static JsonObject Normalise(string json)
    {
        var document = JsonNode.Parse(json)!.AsObject();
        document.Remove("servers");
        return document;
    }

    private static List<string> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}")).ToList();
}
