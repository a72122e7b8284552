using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.IntegrationTests.Auth;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>A browser console as the tests open it: a ticket, the gateway's WebSocket, bytes both ways, every wait bounded.</summary>
internal static class ConsoleSockets
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>A ticket for <paramref name="machine"/> (an <c>ApiPaths.Machine</c> path) as <paramref name="client"/>, then its socket.</summary>
    public static async Task<ClientWebSocket> OpenAsync(ServerHarness server, HttpClient client, string machine, ConsoleTicketRequest request)
    {
        var ticket = await Users.ReadAsync<ConsoleTicket>(
            await client.PostAsJsonAsync(machine + "/console/tickets", request, ServerHarness.Json), HttpStatusCode.OK);
        return await ConnectAsync(server, ticket.Url);
    }

    /// <summary>The gateway's WebSocket for a ticket's URL.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(ServerHarness server, string url)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + url), timeout.Token);
        return socket;
    }

    public static Task SendAsync(ClientWebSocket socket, byte[] bytes) =>
        socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>At least <paramref name="count"/> bytes, as they come (one message may hold more); a close fails the test.</summary>
    public static async Task<byte[]> ReceiveAtLeastAsync(ClientWebSocket socket, int count, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? Bound);
        var received = new List<byte>();
        var buffer = new byte[65536];
        while (received.Count < count)
        {
            var result = await socket.ReceiveAsync(buffer, limit.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            received.AddRange(buffer.AsSpan(0, result.Count).ToArray());
        }

        return [.. received];
    }

    /// <summary>Reads a serial console into <paramref name="screen"/> until what came since the call shows <paramref name="text"/>.</summary>
    public static async Task ExpectAsync(ClientWebSocket socket, StringBuilder screen, string text)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        var start = screen.Length;
        while (screen.ToString(start, screen.Length - start).IndexOf(text, StringComparison.Ordinal) < 0)
        {
            try
            {
                var result = await socket.ReceiveAsync(buffer, limit.Token);
                screen.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no '{text}' on the serial console; it showed:\n{screen}");
            }
        }
    }
}
