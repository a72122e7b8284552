using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Agent.Tls;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Drivers.Qemu.Streams;

namespace SkillVL.Agent.Remote;

/// <summary>
/// The standalone node agent: enrols once with a join token (keeping the credential it gets in
/// &lt;data&gt;/agent-credential.json, mode 0600), then keeps a WebSocket to the Server open — reconnecting with
/// backoff when it drops — answers the Server's calls on the local QEMU node and sends heartbeats. VMs keep
/// running whatever happens to the connection or to this process.
/// </summary>
public sealed partial class AgentClient(AgentClientOptions options, ILoggerFactory loggerFactory, TimeProvider time)
{
    /// <summary>After a failed renewal (Server busy, refused): soon enough, not so often that the log fills.</summary>
    private static readonly TimeSpan TlsRetryInterval = TimeSpan.FromMinutes(10);

    private readonly ILogger _logger = loggerFactory.CreateLogger<AgentClient>();
    private readonly Load.NodeLoadReader _load = new(options.ProcRoot);

    public static string CredentialPath(string dataDirectory) => Path.Combine(dataDirectory, "agent-credential.json");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var credential = await LoadOrEnrolAsync(cancellationToken);
        await using var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions
            {
                NodeName = options.Name,
                DataDirectory = options.DataDirectory,
                RuntimeDirectory = options.RuntimeDirectory,
                Accelerator = options.Accelerator,
                QemuUser = options.QemuUser,
                CpuModel = options.CpuModel,
                VmNetwork = options.VmNetwork,
                RbdDisks = options.DiskStore.ToSettings(),
            },
            loggerFactory,
            time,
            cancellationToken);
        // Before any connection: bring back what should run, then let the owner in locally (ADR 0024).
        await using var local = await Local.LocalControlHost.StartAsync(
            node, options.DataDirectory, options.RuntimeDirectory, options.LocalUserUid, loggerFactory, time, cancellationToken);
        using var http = CreateHttpClient(credential);
        var dispatcher = new AgentDispatcher(
            node,
            (sha, ct) => FetchTemplateAsync(http, node, sha, ct),
            (open, ct) => OpenConsoleAsync(node, credential, open, cancellationToken),
            local,
            (session, disk, ct) => SendDiskAsync(credential, session, disk, ct, cancellationToken));
        var backoff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ServeOnceAsync(node, dispatcher, local, credential, cancellationToken);
                backoff = TimeSpan.FromSeconds(1);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or SocketException or DriverException)
            {
                LogConnectFailed(_logger, options.Server, e.Message);
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(backoff, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task ServeOnceAsync(LocalNodeAgent node, AgentDispatcher dispatcher, Local.LocalControlHost local, string credential, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + credential);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(30); // a half-open connection is noticed, not waited out
        using var invoker = new HttpMessageInvoker(CreateHandler());
        await socket.ConnectAsync(WebSocketUri(), invoker, cancellationToken);
        await using var channel = new AgentChannel(socket, "server");
        var facts = Facts(node);
        await channel.SendAsync(new AgentMessage { Type = AgentMessage.Hello, Facts = facts, Load = _load.Read(), Journal = local.PendingJournal }, cancellationToken);
        local.Connected(channel);
        LogConnected(_logger, options.Server, options.Name);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(options.HeartbeatInterval, time, stop.Token);
                await channel.SendAsync(
                    new AgentMessage { Type = AgentMessage.Heartbeat, Facts = Facts(node), Load = _load.Read() },
                    stop.Token);
            }
        }, stop.Token);

        // Its QEMU TLS credentials, from the CA of the Server at the other end of this connection (ADR 0011); the
        // replies arrive through the read loop below, so this runs beside it.
        var credentials = Task.Run(() => KeepTlsCredentialsAsync(channel, stop.Token), stop.Token);

        await channel.RunAsync(
            message =>
            {
                if (message.Type == AgentMessage.Request)
                {
                    // Calls run concurrently (the Server keeps one in flight per VM); answers go back as they finish.
                    _ = Task.Run(async () =>
                    {
                        var answer = await dispatcher.HandleAsync(message, stop.Token);
                        try
                        {
                            await channel.SendAsync(answer, stop.Token);
                        }
                        catch (Exception e) when (e is DriverException or OperationCanceledException)
                        {
                            // The connection went away; the Server asks again after reconnecting.
                        }
                    }, stop.Token);
                }
                else
                {
                    local.OnServerMessage(message);
                }

                return Task.CompletedTask;
            },
            cancellationToken);
        local.Connected(null);
        await stop.CancelAsync();
        await heartbeat.ContinueWith(_ => { }, TaskScheduler.Default);
        await credentials.ContinueWith(_ => { }, TaskScheduler.Default);
        LogDisconnected(_logger, options.Server);
    }

    /// <summary>
    /// Checks the node's &lt;data&gt;/tls now and every <see cref="NodeCertificatePolicy.RecheckInterval"/> while
    /// connected; renews it through the Server when needed. A failure is logged and tried again at the next check
    /// (<see cref="TlsRetryInterval"/>) or connection: VMs and the connection go on without it.
    /// </summary>
    private async Task KeepTlsCredentialsAsync(AgentChannel channel, CancellationToken cancellationToken)
    {
        var directory = new NodeTlsDirectory(options.DataDirectory);
        var address = IPAddress.TryParse(options.UnderlayAddress, out var parsed) ? parsed : null;
        var issuer = new ChannelCertificateIssuer(channel);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var outcome = await NodeTlsEnrolment.EnsureAsync(directory, options.Name, address, issuer, time, cancellationToken);
                if (outcome.Renewed)
                {
                    LogTlsRenewed(_logger, directory.Path, outcome.Reason!, outcome.NotAfter);
                }
                else
                {
                    LogTlsCurrent(_logger, directory.Path, outcome.NotAfter);
                }

                await Task.Delay(NodeCertificatePolicy.RecheckInterval, time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SkillVlException or IOException or UnauthorizedAccessException or CryptographicException or JsonException)
            {
                LogTlsFailed(_logger, e.Message);
                await Task.Delay(TlsRetryInterval, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// The node's facts with its place in the cluster and its migration features: only when its driver declares live
    /// migration (habit 2: capabilities, not exceptions) does the agent ask the migration driver for them.
    /// </summary>
    private Core.Nodes.NodeFacts Facts(LocalNodeAgent node) =>
        node.FactsAs(options.Kind, options.UnderlayAddress, options.Labels) with
        {
            Migration = node.Vms.Capabilities.LiveMigration ? node.Migrations.Features : null,

            // A hub must be dialable: a server/edge node with an underlay address. Client nodes only ever dial out.
            RelayPort = options.Kind != "client" && options.UnderlayAddress is not null ? options.RelayPort : null,

            // The Server compares it with its own: a lease's wall-clock deadline is only as good as this clock (ADR 0025).
            Clock = time.GetUtcNow(),
        };

    private async Task<string> LoadOrEnrolAsync(CancellationToken cancellationToken)
    {
        var path = CredentialPath(options.DataDirectory);
        if (File.Exists(path))
        {
            var saved = JsonSerializer.Deserialize<EnrolResponse>(await File.ReadAllTextAsync(path, cancellationToken), AgentChannel.Json);
            if (saved is { Credential.Length: > 0 } && saved.Name == options.Name)
            {
                return saved.Credential;
            }
        }

        if (string.IsNullOrWhiteSpace(options.JoinToken))
        {
            throw new InvalidOperationException(
                $"This node has no credential yet ({path}): start the agent once with --join-token (get one with `skillvl node join-token`).");
        }

        using var http = CreateHttpClient(null);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(
                AgentPaths.Enrol, new EnrolRequest(options.JoinToken, options.Name, options.Kind), AgentChannel.Json, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"Cannot reach the Server at {options.Server} to enrol: {e.Message}", e);
        }

        using var _ = response;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The Server refused the enrolment ({(int)response.StatusCode}): {body}");
        }

        var enrolled = JsonSerializer.Deserialize<EnrolResponse>(body, AgentChannel.Json)!;
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, body, cancellationToken);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
        LogEnrolled(_logger, options.Name);
        return enrolled.Credential;
    }

    /// <summary>
    /// Connects the VM's console socket to a new WebSocket back to the Server's relay and pumps bytes both ways
    /// until either side closes. Returns once both ends are connected (the Server's call waits for that).
    /// </summary>
    private async Task OpenConsoleAsync(LocalNodeAgent node, string credential, AgentCalls.ConsoleOpen open, CancellationToken lifetime)
    {
        // The same stream the embedded node gives the Server's gateway (ADR 0036), so both say the same when it cannot open.
        var console = await node.Consoles!.OpenAsync(open.Id, open.Kind, lifetime);
        ClientWebSocket socket;
        try
        {
            socket = await ConnectBackAsync(credential, AgentPaths.ConsoleRelay(open.Session), lifetime);
        }
        catch
        {
            await console.DisposeAsync();
            throw;
        }

        _ = Task.Run(async () =>
        {
            await using (console)
            using (socket)
            {
                await ConsoleRelay.PumpAsync(socket, console, lifetime);
            }
        }, lifetime);
    }

    /// <summary>
    /// Connects a WebSocket back to the Server's relay session for a fenced disk and sends the disk over it in the
    /// background (ADR 0044); returns once connected. The transfer is bounded by its stall timeout and the agent's
    /// lifetime, not by the call that asked for it (which answers at once).
    /// </summary>
    private async Task SendDiskAsync(string credential, string session, Stream disk, CancellationToken call, CancellationToken lifetime)
    {
        var socket = await ConnectBackAsync(credential, AgentPaths.DiskRelay(session), call);
        _ = Task.Run(async () =>
        {
            await using (disk)
            using (socket)
            {
                try
                {
                    var sent = await DiskRelay.SendAsync(socket, disk, DiskRelay.StallTimeout, lifetime);
                    LogDiskSent(_logger, sent);
                }
                catch (Exception e) when (e is WebSocketException or IOException or DriverException or OperationCanceledException)
                {
                    LogDiskSendFailed(_logger, e.Message);
                }
            }
        }, lifetime);
    }

    /// <summary>A WebSocket to one of the Server's relay paths, authenticated with the node's credential.</summary>
    private async Task<ClientWebSocket> ConnectBackAsync(string credential, string path, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + credential);
            var uri = new UriBuilder(new Uri(HttpBase(), path.TrimStart('/'))) { Scheme = HttpBase().Scheme == "https" ? "wss" : "ws" }.Uri;
            using var invoker = new HttpMessageInvoker(CreateHandler());
            await socket.ConnectAsync(uri, invoker, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Downloads a template the Server has into a staging directory and imports it (the store verifies it). Returns the
    /// bytes downloaded, which an incoming migration reports as its base bytes.
    /// </summary>
    private async Task<long> FetchTemplateAsync(HttpClient http, LocalNodeAgent node, string sha256, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(options.DataDirectory, ".fetch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var manifestText = await http.GetStringAsync(AgentPaths.TemplateFile(sha256, "template.json"), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(staging, "template.json"), manifestText, cancellationToken);
            using var manifest = JsonDocument.Parse(manifestText);
            long bytes = System.Text.Encoding.UTF8.GetByteCount(manifestText);
            foreach (var file in manifest.RootElement.GetProperty("files").EnumerateObject())
            {
                bytes += await FetchTemplateFileAsync(http, AgentPaths.TemplateFile(sha256, file.Name), Path.Combine(staging, file.Name), cancellationToken);
            }

            var image = await node.Templates.ImportAsync(staging, cancellationToken);
            if (image.Sha256 != sha256)
            {
                throw new DriverException($"The Server sent template {image.Sha256} when {sha256} was asked for.");
            }

            LogTemplateFetched(_logger, sha256);
            return bytes;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// One template file, zstd-compressed on the way when the Server offers it (a first move to a client carries the
    /// template over its link); the store checks the content address of what arrives. Returns the bytes that crossed.
    /// </summary>
    private static async Task<long> FetchTemplateFileAsync(HttpClient http, string path, string targetPath, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("zstd"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var encodings = response.Content.Headers.ContentEncoding;
        if (encodings.Count > 1 || (encodings.Count == 1 && !encodings.Contains("zstd")))
        {
            throw new DriverException($"The Server sent {path} as {string.Join(", ", encodings)}, which this agent cannot read.");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        long received = 0;
        await using var counted = new CountingStream(body, read => received += read, _ => { });
        await using var target = File.Create(targetPath);
        if (encodings.Count == 1)
        {
            await using var zstd = new ZstdSharp.DecompressionStream(counted, leaveOpen: true);
            await zstd.CopyToAsync(target, cancellationToken);
        }
        else
        {
            await counted.CopyToAsync(target, cancellationToken);
        }

        return received;
    }

    private HttpClient CreateHttpClient(string? credential)
    {
        var client = new HttpClient(CreateHandler()) { BaseAddress = HttpBase(), Timeout = TimeSpan.FromMinutes(30) };
        if (credential is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        return client;
    }

    /// <summary>TCP for http(s) URLs; for "unix:/path" every connection goes to that socket.</summary>
    private SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (UnixSocketPath() is { } path)
        {
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    private string? UnixSocketPath() =>
        options.Server.StartsWith("unix:", StringComparison.Ordinal) ? options.Server["unix:".Length..] : null;

    private Uri HttpBase() => UnixSocketPath() is null ? new Uri(options.Server.TrimEnd('/') + "/") : new Uri("http://localhost/");

    private Uri WebSocketUri()
    {
        var http = new Uri(HttpBase(), AgentPaths.Connect.TrimStart('/'));
        return new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws" }.Uri;
    }

    [LoggerMessage(4000, LogLevel.Information, "Connected to {Server} as node {Node}")]
    private static partial void LogConnected(ILogger logger, string server, string node);

    [LoggerMessage(4001, LogLevel.Warning, "Connection to {Server} lost; reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string server);

    [LoggerMessage(4002, LogLevel.Warning, "Cannot reach {Server}: {Reason}; retrying")]
    private static partial void LogConnectFailed(ILogger logger, string server, string reason);

    [LoggerMessage(4003, LogLevel.Information, "Enrolled as node {Node}; credential saved")]
    private static partial void LogEnrolled(ILogger logger, string node);

    [LoggerMessage(4004, LogLevel.Information, "Fetched template {Sha256} from the Server")]
    private static partial void LogTemplateFetched(ILogger logger, string sha256);

    [LoggerMessage(4005, LogLevel.Information, "Sent a fenced disk to the Server: {Bytes} bytes")]
    private static partial void LogDiskSent(ILogger logger, long bytes);

    [LoggerMessage(4006, LogLevel.Warning, "Sending a fenced disk to the Server ended early: {Reason}")]
    private static partial void LogDiskSendFailed(ILogger logger, string reason);

    [LoggerMessage(4010, LogLevel.Information, "TLS credentials in {Directory} renewed ({Reason}); valid until {NotAfter}")]
    private static partial void LogTlsRenewed(ILogger logger, string directory, string reason, DateTimeOffset notAfter);

    [LoggerMessage(4012, LogLevel.Information, "TLS credentials in {Directory} are current; valid until {NotAfter}")]
    private static partial void LogTlsCurrent(ILogger logger, string directory, DateTimeOffset notAfter);

    [LoggerMessage(4011, LogLevel.Warning, "Could not renew the TLS credentials: {Reason}; trying again in 10 minutes or at the next connection")]
    private static partial void LogTlsFailed(ILogger logger, string reason);
}
