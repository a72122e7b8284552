using Microsoft.Extensions.Options;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Checks;

/// <summary>
/// One run of a room's checks through <see cref="CheckRunGate"/> (ADR 0042): the room's own "Check my work" and a
/// teacher's class-view action (ADR 0045) take the same path, so a whole class checked at once still keeps each room's
/// rate limit.
/// </summary>
public sealed class GatedCheckRun(CheckRunner runner, CheckRunGate gate, IOptions<SkillVlServerOptions> options)
{
    /// <summary>Runs the checks of <paramref name="room"/> (its machines loaded), or says why not now.</summary>
    public async Task<GatedCheckAnswer> RunAsync(RoomEntity room, string username, CancellationToken cancellationToken)
    {
        if (gate.TryStart(room.Id, options.Value.Checks.MinInterval) is { } wait)
        {
            return new GatedCheckAnswer(null, wait);
        }

        try
        {
            return new GatedCheckAnswer(await runner.RunAsync(room, username, cancellationToken), null);
        }
        finally
        {
            gate.End(room.Id);
        }
    }
}
