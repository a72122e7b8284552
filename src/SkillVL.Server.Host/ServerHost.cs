using SkillVL.Server.Hosting;

namespace SkillVL.Server.Host;

/// <summary>
/// Builds the embedded Server with its in-process QEMU node (ADR 0036): Program.cs, the integration tests, the bench and
/// the experiment runner all start the Server through this, so the Server project stays free of the agent and drivers.
/// </summary>
public static class ServerHost
{
    public static WebApplication Build(string[] args, Action<SkillVlServerOptions>? configure = null) =>
        ServerApp.Build<QemuEmbeddedNodeFactory>(args, configure);
}
