using System.Reflection;
using Xunit;

namespace SkillVL.Architecture.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, checked from the compiled assemblies' references:
/// Core depends on nothing of ours and does no I/O; drivers depend only on Core; the Agent on Core and the
/// drivers; the Server on Core and the agent protocol only (ADR 0036); the hosts (skillvl-server, Cli) are leaves that
/// nothing references.
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly string[] Ours =
    [
        "SkillVL.Core", "SkillVL.Drivers.Qemu", "SkillVL.Drivers.Proxmox", "SkillVL.Agent", "SkillVL.Agent.Protocol", "SkillVL.Server", "skillvl-server", "skillvl",
        "SkillVL.LinkEmulator", "skillvl-linkem", "skillvl-agent", "skillvl-testbed", "SkillVL.Experiments",
    ];

    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "SkillVL.Core", [] },

        // The QEMU driver's room-network relay (ADR 0019) opens taps with the emulator library's TapDevice: a BCL-only
        // leaf (checked below), so the driver still depends on nothing of ours but Core and that one copy of tap I/O.
        { "SkillVL.Drivers.Qemu", ["SkillVL.Core", "SkillVL.LinkEmulator"] },
        { "SkillVL.Agent", ["SkillVL.Core", "SkillVL.Agent.Protocol", "SkillVL.Drivers.Qemu"] },

        // The Server talks to nodes through the node contract (ADR 0036): it references neither the agent nor any driver,
        // only the agent protocol's Server end (RemoteNodeAgent, the channel, node TLS), which itself depends on Core alone.
        { "SkillVL.Agent.Protocol", ["SkillVL.Core"] },
        { "SkillVL.Server", ["SkillVL.Core", "SkillVL.Agent.Protocol"] },

        // The host composes the Server with its embedded node (the agent's QEMU node).
        { "skillvl-server", ["SkillVL.Core", "SkillVL.Server", "SkillVL.Agent", "SkillVL.Agent.Protocol"] },
        { "SkillVL.Drivers.Proxmox", ["SkillVL.Core"] },

        // `skillvl cluster check` (issue 15) talks to Proxmox VE itself, through the Proxmox driver's client.
        { "skillvl", ["SkillVL.Core", "SkillVL.Drivers.Proxmox"] },
        { "SkillVL.LinkEmulator", [] },
        { "skillvl-linkem", ["SkillVL.LinkEmulator"] },
        { "skillvl-agent", ["SkillVL.Agent"] },

        // The testbed drives processes (skillvl-linkem, the agent) and the Server's HTTP API from outside; it borrows
        // only the emulator library's profile parsing, so --bandwidth/--rtt/--loss mean what skillvl-linkem reads.
        { "skillvl-testbed", ["SkillVL.LinkEmulator"] },

        // Experiments (ADR 0026): spec, results, statistics, report and plots; the model's predictions come from Core.
        { "SkillVL.Experiments", ["SkillVL.Core"] },
    };

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void Assembly_ReferencesOnlyAllowedSkillVlAssemblies(string assembly, string[] allowed)
    {
        var references = OurReferences(Load(assembly));

        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void Core_DoesNoIo()
    {
        // Core holds the domain and contracts; processes, sockets, HTTP and databases belong to drivers and hosts.
        // (System.Net.Primitives is allowed: Core uses the IPAddress value type for room addressing.)
        string[] forbidden =
        [
            "System.Diagnostics.Process", "System.Net.Http", "System.Net.Sockets",
            "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Microsoft.Data.Sqlite",
        ];
        var references = Load("SkillVL.Core").GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, r => Assert.DoesNotContain(forbidden, f => r.StartsWith(f, StringComparison.Ordinal)));
    }

    [Fact]
    public void LinkEmulator_DependsOnNothingButTheBcl()
    {
        // Not even Microsoft.Extensions.*: the emulator is a leaf library that the testbed, an agent or its own
        // host can embed without dragging in our dependency graph.
        var references = Load("SkillVL.LinkEmulator").GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, r => Assert.True(
            r is "netstandard" or "mscorlib" || r.StartsWith("System.", StringComparison.Ordinal) || r.StartsWith("Microsoft.Win32.", StringComparison.Ordinal),
            $"SkillVL.LinkEmulator references {r}, which is not part of the BCL"));
    }

    [Fact]
    public void Hosts_AreLeaves()
    {
        foreach (var name in Ours)
        {
            var references = OurReferences(Load(name));
            if (name != "skillvl-server")
            {
                // Only its host composes the Server (ADR 0036).
                Assert.DoesNotContain("SkillVL.Server", references);
            }

            Assert.DoesNotContain("skillvl-server", references);
            Assert.DoesNotContain("skillvl", references);
            Assert.DoesNotContain("skillvl-linkem", references);
            Assert.DoesNotContain("skillvl-testbed", references);

            // The experiment runner is a composition root like the bench (ADR 0026): it embeds a Server and drives the
            // testbed, so it is outside these rules as a referrer, and nothing of ours may reference it.
            Assert.DoesNotContain("skillvl-experiment", references);
        }
    }

    [Fact]
    public void Server_ReferencesNeitherTheAgentNorAnyDriver()
    {
        // Issue 15 Deliver 1 (ADR 0036): every node, embedded or not, QEMU or Proxmox, is reached through the node contract.
        var references = Load("SkillVL.Server").GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain("SkillVL.Agent", references);
        Assert.DoesNotContain(references, r => r.StartsWith("SkillVL.Drivers.", StringComparison.Ordinal));
    }

    [Fact]
    public void Rules_CoverEveryProjectUnderSrc()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var projects = Directory.GetDirectories(src).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(
            ["SkillVL.Agent", "SkillVL.Agent.Host", "SkillVL.Agent.Protocol", "SkillVL.Cli", "SkillVL.Core", "SkillVL.Drivers.Proxmox", "SkillVL.Drivers.Qemu", "SkillVL.Experiments", "SkillVL.Experiments.Host", "SkillVL.LinkEmulator", "SkillVL.LinkEmulator.Host", "SkillVL.Server", "SkillVL.Server.Host", "SkillVL.Testbed"],
            projects);
    }

    private static List<string> OurReferences(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => Ours.Contains(n)).ToList();

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SkillVL.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SkillVL.slnx not found above the test directory.");
    }
}
