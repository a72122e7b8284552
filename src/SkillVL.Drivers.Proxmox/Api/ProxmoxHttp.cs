using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// The transport of the PVE API: token header, pinned TLS, parameters in the query (GET, DELETE) or form-encoded in the
/// body (POST, PUT), the <c>{"data": ...}</c> envelope, and every failure turned into one <see cref="ProxmoxException"/>.
/// The typed calls live in <see cref="ProxmoxClient"/>; this class knows no endpoint.
/// </summary>
public sealed class ProxmoxHttp : IDisposable
{
    /// <summary>Bounds every call; PVE answers API calls at once and hands long work to tasks (UPIDs).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly ProxmoxCluster cluster;
    private readonly HttpClient http;
    private readonly PinnedHandler? pinned;
    private readonly ILogger logger;

    /// <param name="handler">For unit tests of pure request building only; null uses the pinned TLS handler.</param>
    /// <param name="observer">Sees every request before it is sent (the schema check records them).</param>
    public ProxmoxHttp(
        ProxmoxCluster cluster, ILogger? logger = null, TimeSpan? timeout = null,
        Action<ProxmoxRequest>? observer = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        this.cluster = cluster;
        this.logger = logger ?? NullLogger.Instance;
        Observer = observer;
        if (handler is null)
        {
            pinned = new PinnedHandler(cluster.Pin, TimeSpan.FromSeconds(10));
            handler = pinned;
        }

        http = new HttpClient(handler, disposeHandler: pinned is not null) { BaseAddress = cluster.ApiRoot, Timeout = timeout ?? DefaultTimeout };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", cluster.Token.HeaderValue);
    }

    public ProxmoxCluster Cluster => cluster;

    public Action<ProxmoxRequest>? Observer { get; }

    /// <summary>
    /// Sends one request and returns the envelope's <c>data</c> (a detached copy; <c>null</c> data is a JSON null).
    /// </summary>
    /// <param name="pathTemplate">The schema's path, e.g. <c>/nodes/{node}/qemu/{vmid}/status/start</c>.</param>
    /// <param name="pathValues">The values for the template's placeholders, in order; each is escaped as one segment.</param>
    public async Task<JsonElement> SendAsync(
        HttpMethod method, string pathTemplate, IReadOnlyList<string> pathValues, PveParameters? parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        var path = Fill(pathTemplate, pathValues);
        var items = parameters?.Items ?? [];
        var request = new ProxmoxRequest(method.Method, pathTemplate, path, items);
        Observer?.Invoke(request);

        var form = string.Join('&', items.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var inQuery = method == HttpMethod.Get || method == HttpMethod.Delete;
        var relative = path.TrimStart('/') + (inQuery && form.Length > 0 ? "?" + form : "");
        using var message = new HttpRequestMessage(method, relative);
        if (!inQuery)
        {
            message.Content = new StringContent(form, Encoding.UTF8, new MediaTypeHeaderValue("application/x-www-form-urlencoded"));
        }

        var described = $"{method.Method} {path}";
        var stopwatch = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException && pinned?.Presented is { } presented)
        {
            throw Fail(described, null, $"the TLS certificate of {cluster.BaseUri} does not match the pinned fingerprint (pinned {pinned.Pinned}, presented {presented}); check --fingerprint against `pvenode cert info`", transient: false, e);
        }
        catch (HttpRequestException e)
        {
            throw Fail(described, null, $"cannot reach {cluster.BaseUri}: {e.Message}", transient: true, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(described, null, $"no answer from {cluster.BaseUri} within {http.Timeout.TotalSeconds:0} s", transient: true, e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            ProxmoxLog.Answered(logger, cluster.Name, method.Method, path, status, stopwatch.ElapsedMilliseconds);
            JsonElement? envelope = TryParse(body);
            if (response.IsSuccessStatusCode)
            {
                if (envelope is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("data", out var data))
                {
                    return data.Clone();
                }

                throw Fail(described, status, "the answer is not PVE's {\"data\": ...} envelope; is this a Proxmox VE API address?", transient: false, null);
            }

            throw Fail(described, status, ErrorMessage(response, envelope, status), TransientErrors.IsTransient(status, response.ReasonPhrase ?? ""), null, Errors(envelope));
        }
    }

    /// <summary>
    /// Opens a websocket (<c>vncwebsocket</c>) on the same API address, with the token header and the same pin.
    /// PVE takes the console ticket only as a query parameter; it lives about 40 s and is bound to the VM and port, and the
    /// URL is never logged (only the path is).
    /// </summary>
    public async Task<WebSocket> ConnectWebSocketAsync(
        string pathTemplate, IReadOnlyList<string> pathValues, PveParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var path = Fill(pathTemplate, pathValues);
        Observer?.Invoke(new ProxmoxRequest("GET", pathTemplate, path, parameters.Items));
        var query = string.Join('&', parameters.Items.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var address = new UriBuilder(new Uri(cluster.ApiRoot, path.TrimStart('/'))) { Scheme = "wss", Query = query }.Uri;
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", cluster.Token.HeaderValue);
        socket.Options.AddSubProtocol("binary");
        socket.Options.CollectHttpResponseDetails = true;
        string? presented = null;
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (cluster.Pin.Matches(certificate))
            {
                return true;
            }

            presented = certificate is null ? "no certificate" : CertificatePin.Of(certificate).Display;
            return false;
        };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(http.Timeout);
            await socket.ConnectAsync(address, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (WebSocketException e)
        {
            var status = socket.HttpStatusCode == 0 ? (int?)null : (int)socket.HttpStatusCode;
            socket.Dispose();
            var message = presented is not null
                ? $"the TLS certificate of {cluster.BaseUri} does not match the pinned fingerprint (pinned {cluster.Pin.Display}, presented {presented})"
                : status is null ? $"cannot open the console websocket: {e.Message}" : $"the console websocket was refused ({status}): the ticket may have expired (about 40 s) or belong to another VM, port or API node";
            throw Fail($"GET {path}", status, message, transient: false, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>
    /// PVE puts the message in the reason phrase (<c>500 can't lock file ... - got timeout</c>); since
    /// libpve-http-server-perl 5.2.0 the body also carries <c>message</c>. Prefer the body's, fall back to the phrase.
    /// </summary>
    private static string ErrorMessage(HttpResponseMessage response, JsonElement? envelope, int status)
    {
        var fromBody = envelope is { ValueKind: JsonValueKind.Object } root ? PveJson.String(root, "message")?.Trim() : null;
        var phrase = response.ReasonPhrase?.Trim();
        var message = !string.IsNullOrEmpty(fromBody) ? fromBody : !string.IsNullOrEmpty(phrase) ? phrase : $"HTTP {status}";
        return status == 401
            ? $"{message}: the API token was refused; check --token-id (USER@REALM!TOKENID) and the secret, and that the token has not expired"
            : message;
    }

    private static Dictionary<string, string>? Errors(JsonElement? envelope)
    {
        if (envelope is not { ValueKind: JsonValueKind.Object } root || !root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return errors.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
    }

    private static JsonElement? TryParse(string body)
    {
        try
        {
            if (body.Length == 0)
            {
                return null;
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private ProxmoxException Fail(string described, int? status, string message, bool transient, Exception? inner, Dictionary<string, string>? errors = null)
    {
        var exception = new ProxmoxException(cluster.Name, described, status, message, errors, transient || (status is not null && TransientErrors.IsTransient(status, message)), inner);
        ProxmoxLog.Failed(logger, cluster.Name, described.Split(' ')[0], described[(described.IndexOf(' ', StringComparison.Ordinal) + 1)..], message);
        return exception;
    }

    internal static string Fill(string template, IReadOnlyList<string> values)
    {
        var builder = new StringBuilder();
        var next = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                builder.Append(template[i]);
                continue;
            }

            var end = template.IndexOf('}', i);
            if (next >= values.Count)
            {
                throw new ArgumentException($"no value for {template[i..(end + 1)]} in {template}", nameof(values));
            }

            builder.Append(Uri.EscapeDataString(values[next++]));
            i = end;
        }

        if (next != values.Count)
        {
            throw new ArgumentException($"{values.Count} values for {next} placeholders in {template}", nameof(values));
        }

        return builder.ToString();
    }
}
