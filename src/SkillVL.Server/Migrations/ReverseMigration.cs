using SkillVL.Core.Compute;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes;

namespace SkillVL.Server.Migrations;

/// <summary>
/// Reverse mode (ADR 0020): a client node — a student's machine, typically behind NAT — cannot be connected to, so when
/// it is the target every connection of the migration is opened by it, outward, to the source: the link probe's
/// endpoint and the tunnel's rendezvous are on the source, and the target dials them. The runner asks here which way
/// round a migration runs and where the endpoints go; polling, decisions, switch-over and cleanup do not change (the
/// source's cancel and completion close the rendezvous). What else a migration needs from the target already travels
/// over the agent's own outbound connection: the template fetch (ADR 0014), the guest check, every call. The room's
/// network and its peer probe are the room-network relay's (issue 12).
/// </summary>
internal static class ReverseMigration
{
    /// <summary>The node kind that cannot be connected to.</summary>
    public const string ClientKind = "client";

    /// <summary>Whether the target opens every connection itself.</summary>
    public static bool TargetDialsOut(INodeAgent target) => string.Equals(target.Facts.Kind, ClientKind, StringComparison.Ordinal);

    /// <summary>Where a node's endpoints listen: its underlay address, or loopback for the embedded node (one host).</summary>
    public static string ListenAddress(INodeAgent node) => node.Facts.UnderlayAddress ?? "127.0.0.1";

    /// <summary>Reverse mode runs only through the node tunnel: both nodes must offer it.</summary>
    /// <exception cref="MigrationAbortedException">One does not (an older agent).</exception>
    public static void RequireTunnel(MigrationFeatures common, INodeAgent source, INodeAgent target)
    {
        if (!common.HasFlag(MigrationFeatures.Tunnel))
        {
            throw new MigrationAbortedException(
                $"Target node {target.Facts.Name} is a client, which opens every connection of a migration itself; that needs the " +
                $"migration tunnel on both nodes, and {(source.Migrations.Features.HasFlag(MigrationFeatures.Tunnel) ? target.Facts.Name : source.Facts.Name)} has none.");
        }
    }

    /// <summary>The probe's endpoint (on the target, or on the source in reverse), and which node dials it.</summary>
    public static async Task<(LinkProbeEndpoint Endpoint, INodeAgent Dialer)> OpenLinkProbeAsync(
        string migrationId, INodeAgent source, INodeAgent target, CancellationToken cancellationToken) =>
        TargetDialsOut(target)
            ? (await source.Migrations.OpenReverseLinkProbeAsync(migrationId, ListenAddress(source), cancellationToken) with { TlsHostname = source.Facts.Name }, target)
            : (await target.Migrations.OpenLinkProbeAsync(migrationId, ListenAddress(target), cancellationToken), source);

    /// <summary>
    /// The rendezvous as the dialling client must check it: by the source's node name, which every platform certificate
    /// carries (ADR 0011), rather than by the address it listens on — the embedded node has no underlay address, listens
    /// on loopback, and its certificate names no address at all.
    /// </summary>
    public static OutgoingRendezvous NamedByNode(OutgoingRendezvous rendezvous, INodeAgent source) =>
        rendezvous with { TlsHostname = source.Facts.Name };

    /// <summary>The node whose probe endpoint <see cref="OpenLinkProbeAsync"/> opened (the one to close it on).</summary>
    public static INodeAgent ProbeListener(INodeAgent source, INodeAgent target) => TargetDialsOut(target) ? source : target;

    /// <summary>Reverse mode's plan for the baseline (<c>tuning: qemu-defaults</c>): QEMU's defaults, through the tunnel.</summary>
    public static MigrationParameters ThroughTheTunnel(MigrationParameters parameters) => parameters with
    {
        Transport = MigrationTransport.Tunnel,
        TunnelCompressionLevel = MigrationPolicy.ZstdLevelFast,
        Reasons = [.. parameters.Reasons, new("transport", "tunnel: the target is a client that opens every connection itself (ADR 0020)")],
    };
}
