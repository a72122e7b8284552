namespace SkillVL.Core.Api;

/// <summary>The REST routes, shared by the Server that maps them and the CLI that calls them.</summary>
public static class ApiPaths
{
    public const string Prefix = "/api/v1";
    public const string Rooms = Prefix + "/rooms";
    public const string Tasks = Prefix + "/tasks";
    public const string Templates = Prefix + "/templates";
    public const string Nodes = Prefix + "/nodes";
    public const string Users = Prefix + "/users";
    public const string Tokens = Prefix + "/tokens";
    public const string Courses = Prefix + "/courses";
    public const string Audit = Prefix + "/audit";
    public const string Migrations = Prefix + "/migrations";
    public const string Experiments = Prefix + "/experiments";
    public const string Recommendations = Prefix + "/recommendations";
    public const string PlacementPolicies = Prefix + "/placement/policies";
    public const string PlacementDecisions = Prefix + "/placement/decisions";
    public const string PlacementEvaluate = Prefix + "/placement/evaluate";
    public const string Me = Prefix + "/me";
    public const string AuthConfig = Prefix + "/auth/config";
    public const string RedeemInvite = Prefix + "/invites/redeem";
    public const string RoomSchema = "/schemas/room-v1.json";
    public const string Health = "/healthz";
    public const string OpenApi = "/openapi/v1.json";

    /// <summary>The placement policy of a scope: "global", or "course"/"user"/"room" and its id or name (ADR 0030).</summary>
    public static string PlacementPolicy(string scope, string? target = null) =>
        target is null ? $"{PlacementPolicies}/{Uri.EscapeDataString(scope)}" : $"{PlacementPolicies}/{Uri.EscapeDataString(scope)}/{Uri.EscapeDataString(target)}";

    /// <summary>A room by id, or by name among the caller's own rooms.</summary>
    public static string Room(string idOrName) => $"{Rooms}/{Uri.EscapeDataString(idOrName)}";

    /// <summary>A room's checks: POST runs them, GET gives the latest results (ADR 0042).</summary>
    public static string RoomChecks(string room) => $"{Room(room)}/checks";

    public static string Machine(string room, string machine) =>
        $"{Room(room)}/machines/{Uri.EscapeDataString(machine)}";

    /// <summary>A node by name.</summary>
    public static string Node(string name) => $"{Nodes}/{Uri.EscapeDataString(name)}";

    /// <summary>A client node's announced departure (ADR 0063): POST announces, DELETE withdraws.</summary>
    public static string NodeDeparture(string name) => $"{Node(name)}/departure";

    public static string Template(string name) => $"{Templates}/{Uri.EscapeDataString(name)}";

    public static string Task(string id) => $"{Tasks}/{Uri.EscapeDataString(id)}";

    public static string User(string idOrName) => $"{Users}/{Uri.EscapeDataString(idOrName)}";

    public static string Token(string id) => $"{Tokens}/{Uri.EscapeDataString(id)}";

    public static string Migration(string id) => $"{Migrations}/{Uri.EscapeDataString(id)}";

    /// <summary>An experiment run (a directory under SkillVL:Experiments:Directory) by name.</summary>
    public static string Experiment(string name) => $"{Experiments}/{Uri.EscapeDataString(name)}";

    /// <summary>A plot (.png or .svg) of an experiment run.</summary>
    public static string ExperimentPlot(string name, string file) => $"{Experiment(name)}/plots/{Uri.EscapeDataString(file)}";

    /// <summary>A course by id or name.</summary>
    public static string Course(string idOrName) => $"{Courses}/{Uri.EscapeDataString(idOrName)}";

    /// <summary>The class view's bulk action on a course's instances (issue 17, ADR 0045).</summary>
    public static string CourseInstanceActions(string idOrName) => $"{Course(idOrName)}/instances/actions";
}
