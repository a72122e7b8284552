namespace SkillVL.Core.Nodes.Protocol;

/// <summary>The calls the Server makes on an agent: the node contract (IVmDriver, INetworkDriver, ITemplateStore).</summary>
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
    public const string TemplatesList = "templates.list";

    /// <summary>Open a VM's console: the agent connects back to <see cref="AgentPaths.ConsoleRelay"/> and relays it.</summary>
    public const string ConsoleOpen = "console.open";
}
