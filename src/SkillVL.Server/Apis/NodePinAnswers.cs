using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Apis;

/// <summary>
/// The pin check of <see cref="NodePinning"/> at the API's edge: a room's apply (its owner, or an admin applying for
/// them) and a course's publish (the teacher, whose pins every student's instance then follows). It runs for admins too:
/// a client node takes only its owner's machines, whoever asks (issue 12). A document that does not parse is left to
/// the apply, which names its errors.
/// </summary>
internal static class NodePinAnswers
{
    public static IResult? Refuse(CurrentUser caller, PinTarget room, string document, RoomEntity? existing, NodeRegistry registry)
    {
        if (RoomDocument.Parse(document).Definition is not { } definition)
        {
            return null;
        }

        var current = existing?.Machines.ToDictionary(m => m.Name, m => m.NodeName, StringComparer.Ordinal) ?? [];
        return NodePinning.Check(caller.IsAdmin, room, definition, current, name => PinFacts.Capacity(registry, name)) is { } refused
            ? Answer(refused, "The room definition is not valid.")
            : null;
    }

    public static IResult Answer(NodePinning.Refusal refused, string invalidTitle) =>
        refused.Forbidden
            ? Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: $"{refused.Error.Field}: {refused.Error.Message}",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [refused.Error.Field] = [refused.Error.Message] } })
            : ApiResults.Invalid([refused.Error], invalidTitle);
}
