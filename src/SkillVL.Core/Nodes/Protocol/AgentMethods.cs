namespace SkillVL.Core.Nodes.Protocol;

/// <summary>The calls the Server makes on an agent: the node contract (IVmDriver, INetworkDriver, INodeRouters, ITemplateStore, IVmMigrationDriver).</summary>
public static class AgentMethods
{
    public const string VmsList = "vms.list";
    public const string VmsEnsureDisk = "vms.ensureDisk";
    public const string VmsStart = "vms.start";
    public const string VmsStop = "vms.stop";
    public const string VmsReset = "vms.reset";
    public const string VmsDelete = "vms.delete";
    public const string VmsGuestPing = "vms.guestPing";
    public const string VmsGuestExec = "vms.guestExec";
    public const string NetworksList = "networks.list";
    public const string NetworksEnsure = "networks.ensure";
    public const string NetworksDelete = "networks.delete";
    public const string RoutersList = "routers.list";
    public const string RoutersEnsure = "routers.ensure";
    public const string RoutersDelete = "routers.delete";
    public const string TemplatesList = "templates.list";

    // Live migration (IVmMigrationDriver): the source's measurement before the plan, the target's three calls, then the source's.
    public const string MigrationsMeasure = "migrations.measure";
    public const string MigrationsOpenLinkProbe = "migrations.openLinkProbe";
    public const string MigrationsCloseLinkProbe = "migrations.closeLinkProbe";
    public const string MigrationsProbeLink = "migrations.probeLink";
    public const string MigrationsPrepareIncoming = "migrations.prepareIncoming";
    public const string MigrationsCompleteIncoming = "migrations.completeIncoming";
    public const string MigrationsAbortIncoming = "migrations.abortIncoming";
    public const string MigrationsStartDiskMirror = "migrations.startDiskMirror";
    public const string MigrationsStartRam = "migrations.startRam";
    public const string MigrationsStatus = "migrations.status";
    public const string MigrationsApplyDecision = "migrations.applyDecision";
    public const string MigrationsCompleteOutgoing = "migrations.completeOutgoing";
    public const string MigrationsCancelOutgoing = "migrations.cancelOutgoing";

    // Reverse mode (ADR 0020): the source listens and the target (a client behind NAT) dials; the source's two calls.
    public const string MigrationsOpenReverseLinkProbe = "migrations.openReverseLinkProbe";
    public const string MigrationsOpenOutgoingRendezvous = "migrations.openOutgoingRendezvous";

    /// <summary>Open a VM's console: the agent connects back to <see cref="AgentPaths.ConsoleRelay"/> and relays it.</summary>
    public const string ConsoleOpen = "console.open";

    /// <summary>Answer at once with nothing: the Server times it, the round trip of the node's link to it (ADR 0027).</summary>
    public const string NodePing = "node.ping";
}
