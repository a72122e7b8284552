using SkillVL.Core.Api;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.Apis;

public static class SchemaApi
{
    /// <summary>The published JSON Schema of room.yaml v1 (anonymous, so editors can fetch it).</summary>
    public static IEndpointRouteBuilder MapSchemaApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiPaths.RoomSchema, () => Results.Text(RoomDocument.SchemaJson, "application/schema+json"))
            .WithTags("Schemas").WithSummary("JSON Schema of the room.yaml v1 document");
        return app;
    }
}
