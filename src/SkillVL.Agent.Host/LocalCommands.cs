using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SkillVL.Agent.Local;

namespace SkillVL.Agent.Host;

/// <summary>
/// The node owner's commands (ADR 0024): they talk to the running agent through its local control socket, so they work
/// with the Server unreachable. Exit codes: 0 done, 1 refused or failed (the reason on stderr), 2 bad usage.
/// </summary>
public static class LocalCommands
{
    /// <summary>Ctrl-] ends an interactive console, as in telnet and <c>skillvl vm console</c>.</summary>
    private const byte Detach = 0x1d;

    public static IEnumerable<Command> Create()
    {
        var socket = new Option<string>("--socket")
        {
            Description = "the agent's local control socket",
            DefaultValueFactory = _ => LocalControlServer.SocketPath("/run/skillvl-agent"),
        };

        var vms = new Command("vms", "list this node's VMs (room/vm, state, whether they are kept running, checked out)") { socket };
        vms.SetAction(async (parse, ct) => await ListAsync(parse.GetValue(socket)!, ct));
        yield return vms;

        foreach (var (verb, op, description) in new[]
        {
            ("stop", LocalControlMessages.Stop, "stop a VM gracefully (ACPI, then hard); the Server follows when it is back"),
            ("start", LocalControlMessages.Start, "start a VM through the node's normal start path; the Server follows when it is back"),
        })
        {
            var target = new Argument<string>("vm") { Description = "ROOM/VM, a machine name or a machine id" };
            var command = new Command(verb, description) { target, socket };
            command.SetAction(async (parse, ct) => await SimpleAsync(parse.GetValue(socket)!, new LocalControlMessages.Request(op, parse.GetValue(target)), ct));
            yield return command;
        }

        yield return ConsoleCommand(socket);
        yield return VncCommand(socket);
    }

    private static Command ConsoleCommand(Option<string> socket)
    {
        var target = new Argument<string>("vm") { Description = "ROOM/VM, a machine name or a machine id" };
        var send = new Option<string?>("--send") { Description = "non-interactive: send this text (\\n, \\r as escapes), then wait for --expect" };
        var expect = new Option<string?>("--expect") { Description = "non-interactive: succeed once the console printed this text" };
        var timeout = new Option<string>("--timeout") { Description = "non-interactive: give up after this long (e.g. 10s, 2m)", DefaultValueFactory = _ => "10s" };
        var command = new Command("console", "attach to a VM's serial console (Ctrl-] detaches); works with the Server unreachable")
        {
            target, send, expect, timeout, socket,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!TryParseDuration(parse.GetValue(timeout)!, out var limit))
            {
                await Console.Error.WriteLineAsync($"skillvl-agent: --timeout '{parse.GetValue(timeout)}' is not a duration like 10s or 2m.");
                return 2;
            }

            var request = new LocalControlMessages.Request(LocalControlMessages.Console, parse.GetValue(target), "serial");
            var (response, console) = await CallOrReportAsync(parse.GetValue(socket)!, request, ct);
            if (console is null)
            {
                return response is null ? 1 : Refused(response);
            }

            using (console)
            {
                return parse.GetValue(send) is null && parse.GetValue(expect) is null
                    ? await InteractiveAsync(console, ct)
                    : await ScriptedAsync(console, Unescape(parse.GetValue(send) ?? ""), parse.GetValue(expect), limit, ct);
            }
        });
        return command;
    }

    private static Command VncCommand(Option<string> socket)
    {
        var target = new Argument<string>("vm") { Description = "ROOM/VM, a machine name or a machine id" };
        var listen = new Option<string>("--listen") { Description = "loopback address:port for the VNC viewer", DefaultValueFactory = _ => "127.0.0.1:5900" };
        var command = new Command("vnc", "serve a VM's screen to a local VNC viewer on a loopback port until interrupted") { target, listen, socket };
        command.SetAction(async (parse, ct) =>
        {
            if (!IPEndPoint.TryParse(parse.GetValue(listen)!, out var endpoint) || endpoint.Port == 0 || !IPAddress.IsLoopback(endpoint.Address))
            {
                await Console.Error.WriteLineAsync($"skillvl-agent: --listen '{parse.GetValue(listen)}' must be a loopback address with a port (127.0.0.1:5900).");
                return 2;
            }

            using var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(endpoint);
            listener.Listen(4);
            Console.WriteLine($"VNC of {parse.GetValue(target)} on {endpoint} (Ctrl-C ends)");
            while (!ct.IsCancellationRequested)
            {
                Socket viewer;
                try
                {
                    viewer = await listener.AcceptAsync(ct);
                }
                catch (OperationCanceledException)
                {
                    return 0;
                }

                _ = Task.Run(async () =>
                {
                    using (viewer)
                    {
                        var (response, vnc) = await CallOrReportAsync(
                            parse.GetValue(socket)!, new LocalControlMessages.Request(LocalControlMessages.Console, parse.GetValue(target), "vnc"), ct);
                        if (vnc is null)
                        {
                            await Console.Error.WriteLineAsync("skillvl-agent: " + (response?.Error ?? "the agent did not answer"));
                            return;
                        }

                        using (vnc)
                        {
                            await using var a = new NetworkStream(viewer, ownsSocket: false);
                            await using var b = new NetworkStream(vnc, ownsSocket: false);
                            await StreamPump.RunAsync(a, b, ct);
                        }
                    }
                }, ct);
            }

            return 0;
        });
        return command;
    }

    private static async Task<int> ListAsync(string socketPath, CancellationToken ct)
    {
        var (response, _) = await CallOrReportAsync(socketPath, new LocalControlMessages.Request(LocalControlMessages.Vms), ct);
        if (response is not { Ok: true, Vms: { } vms })
        {
            return response is null ? 1 : Refused(response);
        }

        Console.WriteLine($"{"VM",-32} {"ID",-12} {"STATE",-9} {"KEPT",-8} CHECKED-OUT");
        foreach (var vm in vms)
        {
            Console.WriteLine($"{(vm.Room is null ? vm.Name : vm.Room + "/" + vm.Name),-32} {vm.Id,-12} {vm.State,-9} {(vm.ShouldRun ? "running" : "stopped"),-8} {(vm.CheckedOut ? "yes" : "no")}");
        }

        return 0;
    }

    private static async Task<int> SimpleAsync(string socketPath, LocalControlMessages.Request request, CancellationToken ct)
    {
        var (response, _) = await CallOrReportAsync(socketPath, request, ct);
        if (response is null)
        {
            return 1;
        }

        if (!response.Ok)
        {
            return Refused(response);
        }

        Console.WriteLine($"{request.Vm}: {request.Op} done");
        return 0;
    }

    private static async Task<(LocalControlMessages.Response? Response, Socket? Console)> CallOrReportAsync(
        string socketPath, LocalControlMessages.Request request, CancellationToken ct)
    {
        try
        {
            return await LocalControlClient.CallAsync(socketPath, request, ct);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            await Console.Error.WriteLineAsync($"skillvl-agent: cannot talk to the agent on {socketPath}: {e.Message} (is it running, and are you root or the node's owner?)");
            return (null, null);
        }
    }

    private static int Refused(LocalControlMessages.Response response)
    {
        Console.Error.WriteLine("skillvl-agent: " + response.Error);
        return 1;
    }

    /// <summary>Sends, then prints what the console says until <paramref name="expect"/> appears (0) or the time is up (1).</summary>
    private static async Task<int> ScriptedAsync(Socket console, string send, string? expect, TimeSpan limit, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        var seen = new StringBuilder();
        try
        {
            await console.SendAsync(Encoding.UTF8.GetBytes(send), SocketFlags.None, timeout.Token);
            var buffer = new byte[4096];
            while (expect is not null && !seen.ToString().Contains(expect, StringComparison.Ordinal))
            {
                var read = await console.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, read);
                seen.Append(text);
                Console.Write(text);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // time is up: judged below
        }

        if (expect is null || seen.ToString().Contains(expect, StringComparison.Ordinal))
        {
            return 0;
        }

        await Console.Error.WriteLineAsync($"\nskillvl-agent: '{expect}' did not appear within {limit.TotalSeconds:0} s.");
        return 1;
    }

    /// <summary>Raw terminal both ways until Ctrl-] or the console closes; the terminal's settings are put back after.</summary>
    private static async Task<int> InteractiveAsync(Socket console, CancellationToken ct)
    {
        var saved = Console.IsInputRedirected ? null : await SttyAsync("-g");
        if (saved is not null)
        {
            await SttyAsync("raw", "-echo");
            await Console.Error.WriteAsync("Connected; Ctrl-] detaches.\r\n");
        }

        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await using var stdin = Console.OpenStandardInput();
            await using var stdout = Console.OpenStandardOutput();
            var up = Task.Run(async () =>
            {
                var buffer = new byte[1024];
                int read;
                while ((read = await stdin.ReadAsync(buffer, stop.Token)) > 0)
                {
                    var detach = Array.IndexOf(buffer, Detach, 0, read);
                    await console.SendAsync(buffer.AsMemory(0, detach >= 0 ? detach : read), SocketFlags.None, stop.Token);
                    if (detach >= 0)
                    {
                        return;
                    }
                }
            }, stop.Token);
            var down = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                int read;
                while ((read = await console.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
                {
                    await stdout.WriteAsync(buffer.AsMemory(0, read), stop.Token);
                    await stdout.FlushAsync(stop.Token);
                }
            }, stop.Token);
            await Task.WhenAny(up, down);
            await stop.CancelAsync();
            return 0;
        }
        finally
        {
            if (saved is not null)
            {
                await SttyAsync(saved.Trim());
                await Console.Error.WriteLineAsync("\nDetached.");
            }
        }
    }

    /// <summary>stty on the terminal this process has as stdin (inherited); its output, or null when it failed.</summary>
    private static async Task<string?> SttyAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("stty", arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        using var stty = Process.Start(start);
        if (stty is null)
        {
            return null;
        }

        var output = await stty.StandardOutput.ReadToEndAsync();
        await stty.WaitForExitAsync();
        return stty.ExitCode == 0 ? output : null;
    }

    private static string Unescape(string text) => text.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\r", "\r", StringComparison.Ordinal);

    /// <summary>"10s", "2m", "500ms" or a plain number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * unit);
        return true;
    }
}
