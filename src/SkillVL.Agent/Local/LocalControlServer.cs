using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Agent.Remote;
using SkillVL.Core.Errors;

namespace SkillVL.Agent.Local;

/// <summary>
/// The agent's local control socket (ADR 0024), e.g. <c>/run/skillvl-agent/local.sock</c>: the node's owner lists,
/// stops and starts its VMs and attaches to their consoles with no Server. Nothing listens on a network address.
/// Authentication is local: the socket file is mode 0600 (root's, or the owner's with <c>--local-user</c>), and every
/// connection's peer uid (SO_PEERCRED) must be root or that owner (<see cref="LocalCallerPolicy"/>).
/// </summary>
public sealed partial class LocalControlServer : IAsyncDisposable
{
    /// <summary>A caller has this long to send its request line: a stuck client must not hold a connection open.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly LocalVmControl _control;
    private readonly LocalNodeAgent _node;
    private readonly uint? _ownerUid;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private LocalControlServer(Socket listener, string path, LocalVmControl control, LocalNodeAgent node, uint? ownerUid, ILogger logger)
    {
        _listener = listener;
        Path = path;
        _control = control;
        _node = node;
        _ownerUid = ownerUid;
        _logger = logger;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public string Path { get; }

    /// <summary>The socket's path in a runtime directory.</summary>
    public static string SocketPath(string runtimeDirectory) => System.IO.Path.Combine(runtimeDirectory, "local.sock");

    /// <summary>Binds the socket with mode 0600 before it listens, so no connection ever finds it more open.</summary>
    /// <param name="ownerUid">The node owner's uid (<c>--local-user</c>): the socket file becomes theirs; null: root's only.</param>
    public static async Task<LocalControlServer> StartAsync(
        string path, LocalVmControl control, LocalNodeAgent node, uint? ownerUid, ILogger<LocalControlServer> logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.Delete(path); // a socket left by an agent that was killed
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (ownerUid is { } uid)
            {
                await ChownAsync(path, uid, cancellationToken);
            }

            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            File.Delete(path);
            throw;
        }

        Log.Listening(logger, path, ownerUid?.ToString(CultureInfo.InvariantCulture) ?? "root only");
        return new LocalControlServer(listener, path, control, node, ownerUid, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        File.Delete(Path);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using var _ = connection;
        try
        {
            var (pid, uid, _) = PeerCredentials.Of(connection);
            string? line;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                // Read before answering, also a refusal: closing a unix socket with its request unread would make the
                // caller's write fail (EPIPE/ECONNRESET) instead of showing it why.
                timeout.CancelAfter(RequestTimeout);
                line = await LineIo.ReadLineAsync(connection, timeout.Token);
            }

            if (!LocalCallerPolicy.IsAllowed(uid, _ownerUid))
            {
                Log.Refused(_logger, uid, pid);
                await ReplyAsync(connection, new LocalControlMessages.Response(false, $"uid {uid} may not control this node's VMs (only root and the node's owner)."));
                return;
            }

            var request = line is null ? null : JsonSerializer.Deserialize<LocalControlMessages.Request>(line, AgentChannel.Json);
            if (request is null)
            {
                return;
            }

            await HandleAsync(connection, request, $"uid {uid}", _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or JsonException or OperationCanceledException)
        {
            // A caller that went away or sent nonsense: nothing to answer.
        }
    }

    private async Task HandleAsync(Socket connection, LocalControlMessages.Request request, string by, CancellationToken cancellationToken)
    {
        if (request.Op == LocalControlMessages.Vms)
        {
            await ReplyAsync(connection, new LocalControlMessages.Response(true, Vms: await _control.ListAsync(cancellationToken)));
            return;
        }

        if (request.Op is not (LocalControlMessages.Stop or LocalControlMessages.Start or LocalControlMessages.Console))
        {
            await ReplyAsync(connection, new LocalControlMessages.Response(false, $"Unknown request '{request.Op}'."));
            return;
        }

        if (string.IsNullOrEmpty(request.Vm) || _control.Store.Resolve(request.Vm) is not { } vm)
        {
            await ReplyAsync(connection, new LocalControlMessages.Response(false, $"No VM '{request.Vm}' on this node (or more than one: name it ROOM/VM); see `skillvl-agent vms`."));
            return;
        }

        try
        {
            switch (request.Op)
            {
                case LocalControlMessages.Stop:
                    await _control.StopAsync(vm, by, cancellationToken);
                    await ReplyAsync(connection, new LocalControlMessages.Response(true));
                    return;
                case LocalControlMessages.Start:
                    await _control.StartAsync(vm, by, cancellationToken);
                    await ReplyAsync(connection, new LocalControlMessages.Response(true));
                    return;
                default:
                    await RelayConsoleAsync(connection, vm, request.Kind ?? "serial", by, cancellationToken);
                    return;
            }
        }
        catch (SkillVlException e)
        {
            await ReplyAsync(connection, new LocalControlMessages.Response(false, e.Message));
        }
    }

    private async Task RelayConsoleAsync(Socket connection, LocalVmRecord vm, string kind, string by, CancellationToken cancellationToken)
    {
        if (kind is not ("serial" or "vnc"))
        {
            await ReplyAsync(connection, new LocalControlMessages.Response(false, $"Unknown console kind '{kind}' (serial or vnc)."));
            return;
        }

        // Through the node's consoles, as the Server's are: a serial console is then shared with any open through the
        // Server (ADR 0054) instead of waiting for it.
        Stream console;
        try
        {
            console = await _node.Consoles!.OpenAsync(vm.Spec.Id, kind, cancellationToken);
        }
        catch (DriverException e)
        {
            await ReplyAsync(connection, new LocalControlMessages.Response(false, $"The {kind} console of {vm.Spec.Name} is not open ({e.Message}): is the VM running?"));
            return;
        }

        await using (console)
        {
            await ReplyAsync(connection, new LocalControlMessages.Response(true));
            Log.ConsoleOpened(_logger, vm.Spec.Id, kind, by);
            await using var local = new NetworkStream(connection, ownsSocket: false);
            await StreamPump.RunAsync(local, console, cancellationToken);
        }
    }

    private static Task ReplyAsync(Socket connection, LocalControlMessages.Response response) =>
        LineIo.WriteLineAsync(connection, JsonSerializer.Serialize(response, AgentChannel.Json), CancellationToken.None);

    /// <summary>chown(1) rather than a P/Invoke: once per agent start, and the agent already runs system tools.</summary>
    private static async Task ChownAsync(string path, uint uid, CancellationToken cancellationToken)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", [uid.ToString(CultureInfo.InvariantCulture), "--", path]) { RedirectStandardError = true })
            ?? throw new DriverException("Could not run chown.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var error = await chown.StandardError.ReadToEndAsync(timeout.Token);
        await chown.WaitForExitAsync(timeout.Token);
        if (chown.ExitCode != 0)
        {
            throw new DriverException($"chown {uid} {path} failed: {error.Trim()}");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4110, LogLevel.Information, "Local control on {Path} (owner: {Owner})")]
        public static partial void Listening(ILogger logger, string path, string owner);

        [LoggerMessage(4111, LogLevel.Warning, "Local control refused uid {Uid} (pid {Pid})")]
        public static partial void Refused(ILogger logger, uint uid, int pid);

        [LoggerMessage(4112, LogLevel.Information, "Local {Kind} console of VM {VmId} opened by {By}")]
        public static partial void ConsoleOpened(ILogger logger, string vmId, string kind, string by);
    }
}
