namespace SkillVL.Core.Api;

/// <summary>The REST routes, shared by the Server that maps them and the CLI that calls them.</summary>
public static class ApiPaths
{
    public const string Prefix = "/api/v1";
    public const string Rooms = Prefix + "/rooms";
    public const string Tasks = Prefix + "/tasks";
    public const string Templates = Prefix + "/templates";
    public const string Nodes = Prefix + "/nodes";
    public const string RoomSchema = "/schemas/room-v1.json";
    public const string Health = "/healthz";
    public const string OpenApi = "/openapi/v1.json";

    public static string Room(string name) => $"{Rooms}/{Uri.EscapeDataString(name)}";

    public static string Machine(string room, string machine) =>
        $"{Room(room)}/machines/{Uri.EscapeDataString(machine)}";

    public static string Task(string id) => $"{Tasks}/{Uri.EscapeDataString(id)}";
}
