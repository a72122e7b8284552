using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;

namespace SkillVL.Bench;

/// <summary>
/// Console latency (issue 4): keystroke to echo on a tiny guest's serial console through the Server's gateway
/// (browser WebSocket → gateway → unix socket → QEMU → guest tty → back), one character at a time, after logging
/// in. Baseline in the same run: the same through the VM's serial unix socket directly (no gateway).
/// </summary>
public static class ConsoleBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<string> RunAsync(string image, int keys)
    {
        await using var server = await EmbeddedServer.StartAsync("con", image);
        var http = server.Client;
        try
        {
            using var put = await http.PutAsync(ApiPaths.Room("con"), new StringContent(
                "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: con }\nmachines:\n  - { name: box, template: tiny }\n", Encoding.UTF8, "application/yaml"));
            var task = (await put.Content.ReadFromJsonAsync<TaskInfo>(Json))!;
            while (!TaskStates.IsFinal(task.State))
            {
                await Task.Delay(200);
                task = (await http.GetFromJsonAsync<TaskInfo>(ApiPaths.Task(task.Id), Json))!;
            }

            var ticket = await (await http.PostAsJsonAsync(ApiPaths.Machine("con", "box") + "/console/tickets", new ConsoleTicketRequest("serial"), Json))
                .Content.ReadFromJsonAsync<ConsoleTicket>(Json);
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + ticket!.Url), CancellationToken.None);
            var viaGateway = await MeasureAsync(
                text => socket.SendAsync(Encoding.ASCII.GetBytes(text), WebSocketMessageType.Binary, true, CancellationToken.None),
                async buffer =>
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    return (await socket.ReceiveAsync(buffer, limit.Token)).Count;
                },
                keys);
            // Close properly, so the gateway lets go of the serial socket (QEMU serves one client at a time).
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                var scratch = new byte[4096];
                while (socket.State != WebSocketState.Closed && (await socket.ReceiveAsync(scratch, drain.Token)).MessageType != WebSocketMessageType.Close)
                {
                }
            }

            await Task.Delay(500);

            var vmId = (await http.GetFromJsonAsync<MachineStatus>(ApiPaths.Machine("con", "box"), Json))!.Id;
            using var direct = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await direct.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(server.RuntimeDirectory, "vms", vmId, "serial.sock")));
            var baseline = await MeasureAsync(
                async text => await direct.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None),
                async buffer =>
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    return await direct.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
                },
                keys);

            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, TCG, one tiny guest, {keys} keystrokes each (after a warm-up), one at a time.");
            report.AppendLine();
            report.AppendLine("| path | echo p50 (ms) | echo p99 (ms) | ratio p50 to direct |");
            report.AppendLine("|---|---:|---:|---:|");
            report.AppendLine(CultureInfo.InvariantCulture, $"| serial socket directly (baseline) | {baseline.P50:0.00} | {baseline.P99:0.00} | 1.00 |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| through the gateway (WebSocket, ticket) | {viaGateway.P50:0.00} | {viaGateway.P99:0.00} | {viaGateway.P50 / baseline.P50:0.00} |");
            return report.ToString();
        }
        finally
        {
            using var del = await http.DeleteAsync(ApiPaths.Room("con"));
            await Task.Delay(3000); // the reconciler stops the VM before the Server goes
        }
    }

    /// <summary>Logs in, then types one letter at a time and waits for the guest's echo of it.</summary>
    private static async Task<(double P50, double P99)> MeasureAsync(Func<string, Task> send, Func<byte[], Task<int>> receive, int keys)
    {
        var screen = new StringBuilder();
        var buffer = new byte[4096];
        async Task ExpectAsync(string text)
        {
            var clock = Stopwatch.StartNew();
            while (screen.ToString().IndexOf(text, StringComparison.Ordinal) < 0)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"no '{text}' on the console: {screen}");
                }

                screen.Append(Encoding.UTF8.GetString(buffer, 0, await receive(buffer)));
            }

            screen.Clear();
        }

        await send("\r");
        await ExpectAsync("login:");
        await send("root\r");
        await ExpectAsync("assword:");
        await send("skillvl\r");
        await ExpectAsync("#");
        var samples = new List<double>();
        for (var i = 0; i < keys + 20; i++)
        {
            var key = (char)('a' + (i % 26));
            var start = Stopwatch.GetTimestamp();
            await send(key.ToString());
            await ExpectAsync(key.ToString());
            if (i >= 20)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        await send("\u0015\rexit\r"); // clear the typed line and log out, for the next session
        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)(samples.Count * 0.99)]);
    }

}
