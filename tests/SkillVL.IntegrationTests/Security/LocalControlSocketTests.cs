using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent;
using SkillVL.Agent.Local;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// The agent's local control socket (ADR 0024) is authenticated locally: root's alone (mode 0600), and even when its file
/// is made world-writable a caller with another uid is refused by its peer credentials (SO_PEERCRED). With
/// <c>--local-user</c> the socket is the owner's, and the owner gets in. The callers are real processes under
/// another uid (setpriv), running the real <c>skillvl-agent vms</c>. No VM is started.
/// </summary>
public sealed class LocalControlSocketTests : IDisposable
{
    private const uint Nobody = 65534;
    private static readonly string AgentDll = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll");
    private readonly string _root = Directory.CreateTempSubdirectory("svl-local").FullName;

    public LocalControlSocketTests()
    {
        // Reachable by QEMU's user (ADR 0016) and, for the test's other-uid caller, traversable.
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    [Fact]
    public async Task LocalSocket_IsRoots0600_OtherUidRefusedEvenThroughALooseMode_OwnerAllowed()
    {
        HostTools.RequireRoot();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = Path.Combine(_root, "run");
        await using var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions { NodeName = "n", DataDirectory = Path.Combine(_root, "data"), RuntimeDirectory = run, Accelerator = "tcg" },
            NullLoggerFactory.Instance, TimeProvider.System, timeout.Token);
        File.SetUnixFileMode(run, File.GetUnixFileMode(run) | UnixFileMode.OtherExecute);
        var socket = LocalControlServer.SocketPath(run);

        await using (await LocalControlHost.StartAsync(node, Path.Combine(_root, "data"), run, ownerUid: null, NullLoggerFactory.Instance, TimeProvider.System, timeout.Token))
        {
            Assert.Equal("0 600", await StatAsync(socket));
            Assert.Equal(0, (await VmsAsync(socket, asNobody: false)).ExitCode);

            var denied = await VmsAsync(socket, asNobody: true);
            Assert.Equal(1, denied.ExitCode);
            Assert.Contains("cannot talk to the agent", denied.Stderr, StringComparison.Ordinal);

            // The file's mode loosened by mistake: the peer credentials still keep the other uid out.
            File.SetUnixFileMode(socket, (UnixFileMode)0b110_110_110);
            var refused = await VmsAsync(socket, asNobody: true);
            Assert.Equal(1, refused.ExitCode);
            Assert.True(refused.Stderr.Contains($"uid {Nobody} may not control", StringComparison.Ordinal), refused.Stderr);
        }

        Assert.False(File.Exists(socket)); // removed when the agent stops

        await using (await LocalControlHost.StartAsync(node, Path.Combine(_root, "data"), run, ownerUid: Nobody, NullLoggerFactory.Instance, TimeProvider.System, timeout.Token))
        {
            Assert.Equal($"{Nobody} 600", await StatAsync(socket));
            var owner = await VmsAsync(socket, asNobody: true);
            Assert.True(owner.ExitCode == 0, owner.Stdout + owner.Stderr);
            Assert.StartsWith("VM ", owner.Stdout, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<string> StatAsync(string path) =>
        (await HostTools.RunAsync("stat", ["-c", "%u %a", path], TimeSpan.FromSeconds(10))).Stdout.Trim();

    private static Task<(int ExitCode, string Stdout, string Stderr)> VmsAsync(string socket, bool asNobody)
    {
        string[] command = ["dotnet", AgentDll, "vms", "--socket", socket];
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = "/tmp", ["DOTNET_NOLOGO"] = "1", ["HOME"] = "/tmp" };
        return asNobody
            ? HostTools.RunAsync("setpriv", ["--reuid=" + Nobody, "--regid=" + Nobody, "--clear-groups", .. command], TimeSpan.FromSeconds(60), environment)
            : HostTools.RunAsync(command[0], command[1..], TimeSpan.FromSeconds(60), environment);
    }
}
