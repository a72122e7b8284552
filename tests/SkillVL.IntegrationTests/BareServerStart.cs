using SkillVL.Server.Host;
using SkillVL.Server.Hosting;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>Starts a Server on fresh directories expecting it to refuse before it listens; what it threw is returned and
/// nothing of it is left (the directories go; it never reached the point of making a VM).</summary>
internal static class BareServerStart
{
    public static async Task<Exception> RefusedAsync(Action<SkillVlServerOptions> configure)
    {
        using var root = new TempDirectory("svl-bare");
        return await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var app = ServerHost.Build(["--environment", "Development"], o =>
            {
                o.DataDirectory = root.Sub("data");
                o.RuntimeDirectory = root.Sub("run");
                o.CliConfigPath = root.Sub("cli.json");
                o.Listen = "http://127.0.0.1:0";
                o.Accelerator = "tcg";
                configure(o);
            });
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await app.StartAsync(timeout.Token);
                await app.StopAsync(CancellationToken.None);
            }
            finally
            {
                await app.DisposeAsync();
            }
        });
    }
}
