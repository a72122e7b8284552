using System.Net.Sockets;
using System.Text.Json;
using SkillVL.Agent.Remote;

namespace SkillVL.Agent.Local;

/// <summary>The caller's side of the local control socket (the <c>skillvl-agent vms|stop|start|console|vnc</c> commands).</summary>
public static class LocalControlClient
{
    /// <summary>Sends one request and reads the answer. On an accepted console request the returned socket carries the
    /// console's bytes; otherwise it is disposed and null.</summary>
    public static async Task<(LocalControlMessages.Response Response, Socket? Console)> CallAsync(
        string socketPath, LocalControlMessages.Request request, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            await LineIo.WriteLineAsync(socket, JsonSerializer.Serialize(request, AgentChannel.Json), cancellationToken);
            var line = await LineIo.ReadLineAsync(socket, cancellationToken)
                ?? throw new IOException("The agent closed the connection without an answer.");
            var response = JsonSerializer.Deserialize<LocalControlMessages.Response>(line, AgentChannel.Json)
                ?? throw new IOException("The agent's answer was empty.");
            if (response.Ok && request.Op == LocalControlMessages.Console)
            {
                return (response, socket);
            }

            socket.Dispose();
            return (response, null);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
