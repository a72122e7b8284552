using System.Globalization;
using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms;

/// <summary>
/// The rules of a room's checks (issue 17, ADR 0042) the schema cannot express: unique names, a machine of the room,
/// exactly one of run and reaches, expect only with run, a reachable target that is an address or a machine with a
/// static one, and the limits on their number and length. Messages name the check in words ("check 'ping-b': …"),
/// because that is how the teacher knows it. At most one error per check.
/// </summary>
internal static class RoomChecksValidator
{
    public static void Validate(RoomDefinition room, RoomLimits limits, List<ValidationError> errors)
    {
        if (room.Checks is not { Count: > 0 } checks)
        {
            return;
        }

        if (checks.Count > limits.MaxChecks)
        {
            errors.Add(new("checks", $"a room may have at most {Count(limits.MaxChecks)} checks; this one has {Count(checks.Count)}"));
            return;
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < checks.Count; i++)
        {
            var check = checks[i];
            var path = FieldPath.Index("checks", i);
            if (!names.TryAdd(check.Name, i))
            {
                errors.Add(new($"{path}.name", $"'{check.Name}' is already the name of {FieldPath.Index("checks", names[check.Name])}"));
            }
            else if (Problem(room, check, limits) is { } problem)
            {
                errors.Add(new(problem.Field is null ? path : $"{path}.{problem.Field}", $"check '{check.Name}': {problem.Message}"));
            }
        }
    }

    private static (string? Field, string Message)? Problem(RoomDefinition room, CheckDefinition check, RoomLimits limits)
    {
        if (!room.Machines.Any(m => m.Name == check.Machine))
        {
            return ("machine", $"machine '{check.Machine}' is not in this room; {KnownMachines(room)}");
        }

        switch (check.Run, check.Reaches)
        {
            case (null, null):
                return (null, "say what to check: run (a shell line) or reaches (an address or machine to ping)");
            case (not null, not null):
                return (null, "give either run or reaches, not both (make two checks)");
            case (not null, null):
                if (check.Run.Length > limits.MaxCheckTextLength)
                {
                    return ("run", $"has {Count(check.Run.Length)} characters; at most {Count(limits.MaxCheckTextLength)} are allowed");
                }

                return check.Expect?.Output is { } output && output.Length > limits.MaxCheckTextLength
                    ? ("expect.output", $"has {Count(output.Length)} characters; at most {Count(limits.MaxCheckTextLength)} are allowed")
                    : null;
            case (null, { } target):
                if (check.Expect is not null)
                {
                    return ("expect", "expect applies to run only; a reaches check passes when the target answers a ping");
                }

                return ReachesProblem(room, target);
        }
    }

    private static (string? Field, string Message)? ReachesProblem(RoomDefinition room, string target)
    {
        if (Ipv4Address.TryParse(target, out _))
        {
            return null;
        }

        if (room.Machines.FirstOrDefault(m => m.Name == target) is not { } machine)
        {
            return ("reaches", $"'{target}' is neither an IPv4 address (like 10.0.1.10) nor a machine of this room; {KnownMachines(room)}");
        }

        return machine.Nics.Any(n => n.Ip is not null)
            ? null
            : ("reaches", $"machine '{target}' has no static address to ping; give its NIC an ip, or write the address here");
    }

    private static string KnownMachines(RoomDefinition room) => room.Machines.Count == 0
        ? "the room has no machines"
        : "known: " + string.Join(", ", room.Machines.Select(m => m.Name).Distinct(StringComparer.Ordinal));

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}
