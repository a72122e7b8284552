using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.TestUtilities;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// The Server as `./skillvl up` runs it: its own process (dotnet skillvl-server.dll, so the host's Program.cs with its umask),
/// started from a working directory that is not its own, with stdout and stderr captured. Disposing it deletes every
/// room through the API, stops the process (SIGTERM, then kill, by pid) and removes whatever is left (QEMU by pid,
/// our interfaces, the files).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly TempDirectory _root = new("svl-sp");
    private readonly StringBuilder _output = new();
    private Process? _process;

    public string DataDirectory => Path.Combine(_root.Path, "data");

    public string RuntimeDirectory => Path.Combine(_root.Path, "run");

    /// <summary>The working directory it runs in: not the program's.</summary>
    public string WorkingDirectory => Path.Combine(_root.Path, "cwd");

    public string BaseUrl { get; private set; } = "";

    public string AdminToken => File.ReadAllText(Path.Combine(DataDirectory, "admin-token")).Trim();

    /// <summary>Everything it wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts it with <paramref name="arguments"/> added; <paramref name="prepare"/> may put files in its working directory first.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> arguments, Action<string>? prepare = null)
    {
        HostTools.RequireRoot();
        var server = new ServerProcess();
        Directory.CreateDirectory(server.WorkingDirectory);
        prepare?.Invoke(server.WorkingDirectory);
        var tiny = await new TinyImageFixture().EnsureAsync();
        server.BaseUrl = $"http://127.0.0.1:{FreeLoopbackPort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = server.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skillvl-server.dll"));
        foreach (var argument in new[]
        {
            $"--SkillVL:DataDirectory={server.DataDirectory}", $"--SkillVL:RuntimeDirectory={server.RuntimeDirectory}",
            $"--SkillVL:Listen={server.BaseUrl}", $"--SkillVL:CliConfigPath={Path.Combine(server._root.Path, "cli.json")}",
            "--SkillVL:Accelerator=tcg", $"--SkillVL:TemplateSources:0={tiny}", "--SkillVL:AgentSocket=none",
            "--SkillVL:ReconcileInterval=00:00:01", "--SkillVL:ReconcileBusyInterval=00:00:00.250",
        }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        server._process = Process.Start(start)!;
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Bounded.WaitUntilAsync(
                async () => !server._process.HasExited && (await probe.GetAsync(server.BaseUrl + "/healthz")).IsSuccessStatusCode,
                TimeSpan.FromMinutes(3),
                "the Server process to answer /healthz");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public HttpClient ClientWith(string? bearer) => ServerHarness.ClientFor(BaseUrl, bearer);

    /// <summary>Stops the process gracefully (it flushes its log), bounded; kills it if it does not stop.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        string? instance = null;
        try
        {
            instance = File.Exists(Path.Combine(DataDirectory, "instance-id")) ? File.ReadAllText(Path.Combine(DataDirectory, "instance-id")).Trim() : null;
            if (_process is { HasExited: false })
            {
                using var admin = ClientWith(AdminToken);
                var rooms = await admin.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json) ?? [];
                foreach (var room in rooms)
                {
                    using var _ = await admin.DeleteAsync(ApiPaths.Room(room.Id));
                }

                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(90) && (await admin.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json) ?? []).Count > 0)
                {
                    await Task.Delay(250);
                }
            }
        }
        finally
        {
            await StopAsync();
            _process?.Dispose();
            await ProcessReaper.KillAllUnderAsync(RuntimeDirectory);
            if (instance is not null)
            {
                await HostInterfaces.DeleteWithAliasAsync($"skillvl:{instance}");
            }

            _root.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
