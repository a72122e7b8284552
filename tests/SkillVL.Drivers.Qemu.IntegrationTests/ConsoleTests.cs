using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests;

public sealed class ConsoleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Vnc_AnswersWithRfbGreeting_ScreendumpIsNotBlank()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var spec = host.NewVm("screen");
        await host.StartAndWaitForAgentAsync(spec);
        var endpoints = host.Node.Vms.GetConsoleEndpoints(spec.Id);

        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(endpoints.VncSocket), timeout.Token);
            var greeting = new byte[12];
            var read = 0;
            while (read < greeting.Length)
            {
                var n = await socket.ReceiveAsync(greeting.AsMemory(read), timeout.Token);
                Assert.NotEqual(0, n);
                read += n;
            }

            Assert.StartsWith("RFB 003.", Encoding.ASCII.GetString(greeting), StringComparison.Ordinal);
        }

        // The login prompt is on the VGA console too, so the screen has text on it.
        var ppm = Path.Combine(host.Options.RuntimeDirectory, "screen.ppm");
        await TestUtilities.Bounded.WaitUntilAsync(
            async () =>
            {
                await host.Node.Vms.ScreendumpAsync(spec.Id, ppm, CancellationToken.None);
                return DistinctColours(await File.ReadAllBytesAsync(ppm)) > 1;
            },
            TimeSpan.FromSeconds(30),
            "a non-blank screen");

        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }

    /// <summary>Counts the colours of a binary PPM (P6, maxval 255) as QEMU's screendump writes it.</summary>
    private static int DistinctColours(byte[] ppm)
    {
        // Header: "P6\n<width> <height>\n255\n", then RGB triples.
        var offset = 0;
        var fields = 0;
        while (fields < 4)
        {
            while (char.IsWhiteSpace((char)ppm[offset]))
            {
                offset++;
            }

            while (!char.IsWhiteSpace((char)ppm[offset]))
            {
                offset++;
            }

            fields++;
        }

        offset++;
        Assert.Equal("P6", Encoding.ASCII.GetString(ppm, 0, 2));
        var colours = new HashSet<int>();
        for (var i = offset; i + 2 < ppm.Length && colours.Count < 16; i += 3)
        {
            colours.Add((ppm[i] << 16) | (ppm[i + 1] << 8) | ppm[i + 2]);
        }

        return colours.Count;
    }
}
