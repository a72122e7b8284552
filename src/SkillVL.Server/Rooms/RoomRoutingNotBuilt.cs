using SkillVL.Core.Rooms;

namespace SkillVL.Server.Rooms;

/// <summary>
/// Room routing (ADR 0039) is validated, and its node side (a router namespace with dnsmasq) exists and is tested, but the
/// Server does not yet build routers, DHCP, DNS or machines' gateways for an applied room (issue 18's next slice). A room
/// that asks for them would be stored and its machines run with none of it — not what it says — so applying or publishing
/// one is refused, naming each element, until the Server builds them.
/// </summary>
internal static class RoomRoutingNotBuilt
{
    private const string NotYet = "is validated, but this Server does not build room routers, DHCP, DNS or gateways yet (ADR 0039; issue 18's next slice); remove it to apply the room as flat networks";

    /// <summary>One error per routing element the room uses; none for a room of flat networks.</summary>
    public static IReadOnlyList<ValidationError> Errors(RoomDefinition room)
    {
        ArgumentNullException.ThrowIfNull(room);
        var errors = new List<ValidationError>();
        if (room.Routers is { Count: > 0 })
        {
            errors.Add(new ValidationError("routers", "routers " + NotYet));
        }

        for (var i = 0; i < room.Networks.Count; i++)
        {
            if (room.Networks[i].Dhcp is not null)
            {
                errors.Add(new ValidationError($"networks[{i}].dhcp", "dhcp " + NotYet));
            }

            if (room.Networks[i].Dns == true)
            {
                errors.Add(new ValidationError($"networks[{i}].dns", "dns " + NotYet));
            }
        }

        for (var i = 0; i < room.Machines.Count; i++)
        {
            if (room.Machines[i].Gateway is not null)
            {
                errors.Add(new ValidationError($"machines[{i}].gateway", "gateway " + NotYet));
            }
        }

        return errors;
    }
}
