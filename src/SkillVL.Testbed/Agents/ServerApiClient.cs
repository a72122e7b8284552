using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SkillVL.Testbed.Agents;

/// <summary>
/// The testbed's calls to the Server's API with the admin's API token, over HTTP or a unix socket: one-time join
/// tokens for <c>up</c> (<c>POST /api/v1/nodes/join-tokens</c>) and removing the testbed's nodes for <c>down</c>
/// (<c>DELETE /api/v1/nodes/{name}</c>). One attempt per call and no retry: a POST that timed out may still have
/// minted a token, and a fresh <c>up</c> (or another <c>down</c>) is cheap.
/// </summary>
internal sealed class ServerApiClient : IDisposable
{
    /// <summary>Per request. The Server answers this from its database in milliseconds; 10 s means it is not there.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private const string JoinTokensPath = "api/v1/nodes/join-tokens";

    private const string NodesPath = "api/v1/nodes/";

    private readonly ServerAddress _server;
    private readonly HttpClient _http;

    public ServerApiClient(ServerAddress server, string adminToken)
    {
        _server = server;
        var handler = new SocketsHttpHandler();
        Uri baseUri;
        if (server.SocketPath is { } socketPath)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };

            // The host name is only what the Host header says; the connection goes to the socket.
            baseUri = new Uri("http://localhost/");
        }
        else
        {
            var text = server.BaseUri!.ToString();
            baseUri = new Uri(text.EndsWith('/') ? text : text + "/");
        }

        _http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = RequestTimeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
    }

    /// <summary>A new join token: of any kind, or with <paramref name="clientOwner"/> a client token for that user's computer.</summary>
    /// <exception cref="TestbedException">The Server is unreachable, refused the admin token or answered something else.</exception>
    public async Task<string> CreateJoinTokenAsync(string? clientOwner, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            var json = clientOwner is null ? "{}" : JsonSerializer.Serialize(new Dictionary<string, string> { ["kind"] = "client", ["owner"] = clientOwner });
            using var body = new StringContent(json, Encoding.UTF8, "application/json");
            response = await _http.PostAsync(JoinTokensPath, body, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new TestbedException(
                ExitCodes.Error,
                $"cannot reach the Server at {_server.Text} for a join token ({e.Message}); is it running (./skillvl up)? Or build the network alone with --no-agents",
                "--server",
                e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new TestbedException(
                    ExitCodes.Error,
                    $"the Server at {_server.Text} refused the admin token ({(int)response.StatusCode}); give an admin's API token with --admin-token or --admin-token-file",
                    "--admin-token");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new TestbedException($"POST {JoinTokensPath} at {_server.Text} answered {(int)response.StatusCode}: {Shorten(text)}");
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.TryGetProperty("token", out var token) && token.GetString() is { Length: > 0 } value)
                {
                    return value;
                }
            }
            catch (JsonException)
            {
                // Reported below.
            }

            throw new TestbedException($"POST {JoinTokensPath} at {_server.Text} answered without a token: {Shorten(text)}");
        }
    }

    /// <summary>Removes the node <paramref name="name"/> (its credential is revoked, its agent disconnected).</summary>
    /// <returns>What became of it: removed, already gone (404), or the Server is gone (nothing listens where it was).</returns>
    /// <exception cref="TestbedException">The Server refused (401/403), still has machines on the node (409), timed out or answered something else.</exception>
    public async Task<NodeRemoval> DeleteNodeAsync(string name, CancellationToken cancellationToken)
    {
        var path = NodesPath + Uri.EscapeDataString(name);
        HttpResponseMessage response;
        try
        {
            response = await _http.DeleteAsync(path, cancellationToken);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Nothing listens where the Server was (refused, socket file gone): its nodes went with it. A Server that
            // is there but slow is not this: a timeout is an error below, and down can be run again.
            return NodeRemoval.ServerGone;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new TestbedException($"DELETE /{path} at {_server.Text} failed ({e.Message})", e);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return NodeRemoval.Removed;
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return NodeRemoval.NotFound;
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var detail = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? "the admin token was refused; give an admin's API token with --admin-token or --admin-token-file"
                : Shorten(text);
            throw new TestbedException($"DELETE /{path} at {_server.Text} answered {(int)response.StatusCode}: {detail}");
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
