using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using SkillVL.Core.Api;
using SkillVL.Core.Rooms;
using SkillVL.Server.Host;
using SkillVL.Server.Hosting;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// A real SkillVL Server on a loopback port with its own data and runtime directories and its own
/// instance id, booting real tiny guests under TCG. Disposing it deletes every room through the API,
/// then checks and removes whatever could still be left (QEMU processes by pid, our interfaces, files).
/// </summary>
public sealed class ServerHarness : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly TempDirectory _root = new("svl-it");
    private readonly Action<SkillVlServerOptions>? _configure;
    private WebApplication? _app;

    private ServerHarness(Action<SkillVlServerOptions>? configure)
    {
        _configure = configure;
    }

    public string Root => _root.Path;

    public string DataDirectory => Path.Combine(Root, "data");

    public string RuntimeDirectory => Path.Combine(Root, "run");

    public string CliConfigPath => Path.Combine(Root, "cli.json");

    public string BaseUrl { get; private set; } = "";

    public HttpClient Client { get; private set; } = new();

    public string InstanceId => File.ReadAllText(Path.Combine(DataDirectory, "instance-id")).Trim();

    /// <summary>The running app (its services and route table).</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("The Server is not running.");

    /// <summary>The admin's API token (left by the first start, as `up` leaves it for the CLI).</summary>
    public string AdminToken => File.ReadAllText(Path.Combine(DataDirectory, "admin-token")).Trim();

    /// <summary>The one-time password of the admin account made at first start.</summary>
    public string InitialAdminPassword => File.ReadAllText(Path.Combine(DataDirectory, "initial-admin-password")).Trim();

    public static async Task<ServerHarness> StartAsync(Action<SkillVlServerOptions>? configure = null)
    {
        HostTools.RequireRoot();
        if (SharedPostgres.Enabled)
        {
            // SKILLVL_TEST_DATABASE=postgres: this harness runs on a database of its own in the shared cluster.
            var connection = await SharedPostgres.CreateDatabaseAsync();
            var inner = configure;
            configure = o =>
            {
                o.Database.Provider = SkillVL.Server.Data.DatabaseOptions.PostgresProvider;
                o.Database.ConnectionString = connection;
                inner?.Invoke(o);
            };
        }

        var harness = new ServerHarness(configure);
        await harness.StartServerAsync(await new TinyImageFixture().EnsureAsync());
        return harness;
    }

    /// <summary>
    /// Stops the Server process part (VMs keep running) and starts a new one on the same directories, running
    /// <paramref name="whileStopped"/> in between (e.g. to change files the Server reads at start).
    /// </summary>
    public async Task RestartAsync(Action? whileStopped = null)
    {
        await StopServerAsync();
        whileStopped?.Invoke();
        await StartServerAsync(await new TinyImageFixture().EnsureAsync());
    }

    public async Task<TaskInfo> ApplyAsync(string yaml, bool expectSuccess = true)
    {
        var name = RoomDocument.Parse(yaml).Definition!.Metadata.Name;
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await Client.PutAsync(ApiPaths.Room(name), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"apply answered {(int)response.StatusCode}: {body}");
        var task = JsonSerializer.Deserialize<TaskInfo>(body, Json)!;
        var done = await WaitTaskAsync(task.Id, TimeSpan.FromMinutes(3));
        if (expectSuccess)
        {
            Assert.True(done.State == TaskStates.Succeeded, Describe(done));
        }

        return done;
    }

    public async Task<TaskInfo> PostTaskAsync(string path, TimeSpan timeout)
    {
        using var response = await Client.PostAsync(path, null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST {path} answered {(int)response.StatusCode}: {body}");
        var task = JsonSerializer.Deserialize<TaskInfo>(body, Json)!;
        var done = await WaitTaskAsync(task.Id, timeout);
        Assert.True(done.State == TaskStates.Succeeded, Describe(done));
        return done;
    }

    public async Task<TaskInfo> DeleteRoomAsync(string name)
    {
        using var response = await Client.DeleteAsync(ApiPaths.Room(name));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"DELETE answered {(int)response.StatusCode}: {body}");
        var task = JsonSerializer.Deserialize<TaskInfo>(body, Json)!;
        var done = await WaitTaskAsync(task.Id, TimeSpan.FromMinutes(2));
        Assert.True(done.State == TaskStates.Succeeded, Describe(done));
        return done;
    }

    /// <summary>A client of this Server that sends <paramref name="bearer"/> (an API token or an access token).</summary>
    public HttpClient ClientWith(string? bearer) => ClientFor(BaseUrl, bearer);

    /// <summary>A client of the Server at <paramref name="baseUrl"/> that sends <paramref name="bearer"/> (also for <c>Security/ServerProcess</c>).</summary>
    public static HttpClient ClientFor(string baseUrl, string? bearer)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(100) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public async Task<TaskInfo> WaitTaskAsync(string id, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var task = (await Client.GetFromJsonAsync<TaskInfo>(ApiPaths.Task(id), Json))!;
            if (TaskStates.IsFinal(task.State))
            {
                return task;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"task {id} still {task.State} after {timeout}: {Describe(task)}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Runs the real CLI (skillvl.dll) against this Server with its CLI configuration, bounded at 3 min.</summary>
    public async Task<CliResult> CliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skillvl.dll"));
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(CliConfigPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public Task<ExecResponse> ExecAsync(string room, string machine, params string[] command) =>
        ExecAsync(room, machine, TimeSpan.FromSeconds(60), command);

    public async Task<ExecResponse> ExecAsync(string room, string machine, TimeSpan timeout, params string[] command)
    {
        using var response = await Client.PostAsJsonAsync(
            ApiPaths.Machine(room, machine) + "/exec", new ExecRequest(command, timeout), Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"exec answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<ExecResponse>(body, Json)!;
    }

    public async Task<RoomDetails> GetRoomAsync(string name) =>
        (await Client.GetFromJsonAsync<RoomDetails>(ApiPaths.Room(name), Json))!;

    public async Task<MachineStatus> GetMachineAsync(string room, string machine) =>
        (await Client.GetFromJsonAsync<MachineStatus>(ApiPaths.Machine(room, machine), Json))!;

    /// <summary>The pid of a machine's QEMU process, read from its runtime directory.</summary>
    public async Task<int> QemuPidAsync(string room, string machine)
    {
        var status = await GetMachineAsync(room, machine);
        var pidFile = Path.Combine(RuntimeDirectory, "vms", status.Id, "qemu.pid");
        return int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Live QEMU processes started for this harness (their command line names our runtime directory).</summary>
    public IReadOnlyList<int> QemuProcesses() => ProcessReaper.ProcessesMentioning(RuntimeDirectory);

    /// <summary>Deletes every room (a failed test's too) and waits, at most 90 s, until none is left: what a testbed's
    /// down needs before it can remove its nodes, and what the harness does before it stops.</summary>
    public async Task DeleteAllRoomsAsync()
    {
        var rooms = await Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, Json) ?? [];
        foreach (var room in rooms)
        {
            using var _ = await Client.DeleteAsync(ApiPaths.Room(room.Id));
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90)
            && (await Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, Json) ?? []).Count > 0)
        {
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_app is not null)
            {
                await DeleteAllRoomsAsync();
            }
        }
        finally
        {
            var instance = File.Exists(Path.Combine(DataDirectory, "instance-id")) ? InstanceId : null;
            await StopServerAsync();
            // Whatever the API could not remove: processes by pid, interfaces by our alias, then the files.
            await ProcessReaper.KillAllUnderAsync(RuntimeDirectory);
            if (instance is not null)
            {
                await HostInterfaces.DeleteWithAliasAsync($"skillvl:{instance}");
                await RouterNamespaces.DeleteAllAsync(instance); // room routers (ADR 0039); their dnsmasq was killed above
            }

            _root.Dispose();
        }
    }

    public static string Describe(TaskInfo task) =>
        $"{task.Kind} {task.State}: {task.Outcome}\n  " + string.Join("\n  ", task.Log.Select(l => $"{l.Timestamp:HH:mm:ss.fff} {l.Message}"));

    private async Task StartServerAsync(string tinyImage)
    {
        var port = FreeLoopbackPort();
        BaseUrl = $"http://127.0.0.1:{port}";
        _app = ServerHost.Build(["--environment", "Development"], o =>
        {
            o.DataDirectory = DataDirectory;
            o.RuntimeDirectory = RuntimeDirectory;
            o.Listen = BaseUrl;
            o.CliConfigPath = CliConfigPath;
            o.Accelerator = "tcg";
            o.TemplateSources = [tinyImage];
            o.ReconcileInterval = TimeSpan.FromSeconds(1);
            o.ReconcileBusyInterval = TimeSpan.FromMilliseconds(250);
            o.GracefulStopTimeout = TimeSpan.FromSeconds(20);
            o.TaskTimeout = TimeSpan.FromMinutes(3);
            _configure?.Invoke(o);
        });
        await _app.StartAsync();
        Client = ClientWith(AdminToken);
    }

    private async Task StopServerAsync()
    {
        if (_app is null)
        {
            return;
        }

        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await _app.StopAsync(stopping.Token);
        }

        await _app.DisposeAsync();
        _app = null;
        Client.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What a CLI run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
}
