using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Consoles;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// ADR 0062 against the real Server, node and a tiny guest's QEMU: a .vv file for remote-viewer names a loopback port of
/// its own and holds a single-use ticket as its SPICE password. Another student gets 404, no caller 401; a wrong password
/// is denied (SPICE's "permission denied") and redeems nothing; the right one links the main channel (with auth selection,
/// as spice-gtk links) and QEMU names the session; a display channel joins with that session id, one naming another
/// session is refused; while the session is open no other SPICE console opens; when its channels close, the port closes
/// and the ticket opens nothing again. Every step is audited.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class SpiceFileTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: viewer }
        networks:
          - { name: lan, cidr: 10.74.0.0/24 }
        machines:
          - { name: box, template: tiny, nics: [{ network: lan, ip: 10.74.0.5 }] }
        """;

    [Fact]
    public async Task Issue17_VvFile_OpensSpiceThroughItsOwnLoopbackPort_WrongPasswordDenied_SingleUse_OthersGet404()
    {
        await using var server = await ServerHarness.StartAsync();
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        using var otis = await Users.AddAndLoginAsync(server, "otis", PlatformRoles.Student);
        await Users.CreateRoomAsync(server, sam, Room);
        var path = ApiPaths.Machine("viewer", "box") + "/console/spice-file";

        Assert.Equal(HttpStatusCode.NotFound, (await otis.Client.PostAsync(path, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await new HttpClient().PostAsync(server.BaseUrl + path, null)).StatusCode);

        var answer = await sam.Client.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(SpiceFileEndpoint.MediaType, answer.Content.Headers.ContentType!.MediaType);
        Assert.Equal("viewer-box.vv", answer.Content.Headers.ContentDisposition!.FileName);
        Assert.Contains("no-store", answer.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var text = await answer.Content.ReadAsStringAsync();
        var file = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.StartsWith("[virt-viewer]\n", text, StringComparison.Ordinal);
        Assert.Equal(("spice", "127.0.0.1", "1"), (file["type"], file["host"], file["delete-this-file"]));
        var port = int.Parse(file["port"], System.Globalization.CultureInfo.InvariantCulture);
        var password = file["password"];
        output.WriteLine($"the file names port {port}");

        // A wrong password: denied, and nothing is redeemed (the right one still works after it).
        var (wrong, denied) = await SpiceTcpClient.LinkAsync(port, SpiceLink.MainChannel, "not-the-ticket", commonCaps: SpiceTcpClient.AuthSelectionCaps);
        using (wrong)
        {
            Assert.Equal(7u, denied); // SPICE_LINK_ERR_PERMISSION_DENIED
            Assert.True(await wrong.ClosedAsync());
        }

        var (main, linked) = await SpiceTcpClient.LinkAsync(port, SpiceLink.MainChannel, password, commonCaps: SpiceTcpClient.AuthSelectionCaps);
        using (main)
        {
            Assert.Equal(0u, linked);
            var session = await main.ReadSessionIdAsync();
            output.WriteLine($"main channel: session id {session}");
            var (display, displayLinked) = await SpiceTcpClient.LinkAsync(port, SpiceLink.DisplayChannel, password, session);
            using (display)
            {
                Assert.Equal(0u, displayLinked);

                // A channel naming another session, or with a wrong password, is refused before QEMU sees a ticket.
                var (other, otherResult) = await SpiceTcpClient.LinkAsync(port, SpiceLink.DisplayChannel, password, session + 1);
                other.Dispose();
                Assert.Equal(7u, otherResult);
                var (guess, guessResult) = await SpiceTcpClient.LinkAsync(port, SpiceLink.InputsChannel, "guess", session);
                guess.Dispose();
                Assert.Equal(7u, guessResult);

                // QEMU serves one SPICE client: while this one is open, no other SPICE console (a file or a browser's) opens.
                var busy = await sam.Client.PostAsync(path, null);
                Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            }
        }

        // All channels closed: the session ends, the port closes, and the file's ticket is spent.
        await Bounded.WaitUntilAsync(async () =>
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", port);
                return false;
            }
            catch (SocketException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(15), "the .vv file's port to close once its session is over", TimeSpan.FromMilliseconds(250));

        // A new file opens a new session: the console is free again.
        var again = await sam.Client.PostAsync(path, null);
        Assert.True(again.StatusCode == HttpStatusCode.OK, $"{(int)again.StatusCode}: {await again.Content.ReadAsStringAsync()}");

        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?limit=200", ServerHarness.Json))!
            .Where(e => e.Action == "console" && e.Target == "room=viewer machine=box").ToList();
        foreach (var e in audit)
        {
            output.WriteLine($"{e.Username} {e.Outcome}: {e.Detail}");
        }

        Assert.Contains(audit, e => e.Outcome == "refused" && e.Detail == "spice file: channel 1: wrong password");
        Assert.Contains(audit, e => e.Outcome == "opened" && e.Detail == "spice channel 1 (remote-viewer)" && e.Username == "sam");
        Assert.Contains(audit, e => e.Outcome == "opened" && e.Detail == "spice channel 2 (remote-viewer)");
        Assert.Contains(audit, e => e.Outcome == "refused" && e.Detail == "spice file: SPICE channel 2 names another session");
        Assert.Contains(audit, e => e.Outcome == "closed" && e.Detail!.StartsWith("spice channel 1 (remote-viewer): ", StringComparison.Ordinal));
    }

    /// <summary>Debian's remote-viewer itself, on an Xvfb screen, opens the downloaded file: it reads (and deletes) the
    /// file, links main and display through the proxy, and QEMU's display channel sends it the guest's screen.</summary>
    [Fact]
    public async Task Issue17_RemoteViewer_UnderXvfb_OpensTheFile_GetsTheGuestsScreen()
    {
        HostTools.RequireTool("remote-viewer", "virt-viewer");
        HostTools.RequireTool("Xvfb", "xvfb");
        await using var server = await ServerHarness.StartAsync();
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        await Users.CreateRoomAsync(server, sam, Room);
        using var dir = new TempDirectory("svl-vv-");
        var file = Path.Combine(dir.Path, "viewer-box.vv");
        var answer = await sam.Client.PostAsync(ApiPaths.Machine("viewer", "box") + "/console/spice-file", null);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await File.WriteAllBytesAsync(file, await answer.Content.ReadAsByteArrayAsync());
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Xvfb picks a free display and names it on its stdout (-displayfd); no TCP listener.
        using var xvfb = Start("Xvfb", ["-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp"], null, dir.Path);
        Process? viewer = null;
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var display = ":" + (await xvfb.StandardOutput.ReadLineAsync(bound.Token))!.Trim();
            output.WriteLine($"Xvfb on {display}");
            viewer = Start("remote-viewer", [file], display, dir.Path);

            // It read the file (and deleted it, as the file asks), linked main and display, and QEMU sent the screen.
            await Bounded.WaitUntilAsync(async () => (await AuditAsync(server)).Any(e => e.Outcome == "opened" && e.Detail == "spice channel 2 (remote-viewer)"),
                TimeSpan.FromSeconds(60), "remote-viewer's display channel through the proxy", TimeSpan.FromMilliseconds(500));
            Assert.False(File.Exists(file), "remote-viewer did not delete the file (delete-this-file=1)");
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            if (viewer is not null)
            {
                viewer.Kill(entireProcessTree: true);
                await viewer.WaitForExitAsync();
                output.WriteLine("remote-viewer: " + await viewer.StandardError.ReadToEndAsync());
                viewer.Dispose();
            }

            xvfb.Kill(entireProcessTree: true);
            await xvfb.WaitForExitAsync();
        }

        // Closed with the viewer: the display channel carried the guest's screen (the text console, some KiB at least).
        AuditEntry? closed = null;
        await Bounded.WaitUntilAsync(async () =>
            (closed = (await AuditAsync(server)).FirstOrDefault(e => e.Outcome == "closed" && e.Detail!.StartsWith("spice channel 2 (remote-viewer): ", StringComparison.Ordinal))) is not null,
            TimeSpan.FromSeconds(15), "the display channel closed with the viewer", TimeSpan.FromMilliseconds(250));
        output.WriteLine(closed!.Detail);
        var bytesOut = long.Parse(Regex.Match(closed.Detail!, @"(\d+) bytes out").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(bytesOut > 4096, $"the display channel sent remote-viewer {bytesOut} bytes");
    }

    private static async Task<List<AuditEntry>> AuditAsync(ServerHarness server) =>
        (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?limit=200", ServerHarness.Json))!
            .Where(e => e.Action == "console" && e.Target == "room=viewer machine=box").ToList();

    private static Process Start(string tool, string[] args, string? display, string home)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (display is not null)
        {
            start.Environment["DISPLAY"] = display;
        }

        // Its own home and runtime directory; no accessibility bus to look for.
        start.Environment["HOME"] = home;
        start.Environment["XDG_RUNTIME_DIR"] = home;
        start.Environment["NO_AT_BRIDGE"] = "1";
        return Process.Start(start)!;
    }
}
