using System.Diagnostics;
using System.Text.RegularExpressions;
using SkillVL.Core.Api.Identity;
using Xunit;

namespace SkillVL.IntegrationTests.Auth;

/// <summary>The real `skillvl` CLI logs in with the device flow at the real embedded issuer; a "browser" approves.</summary>
[Collection(VmCollection.Name)]
public sealed partial class CliLoginTests
{
    [Fact]
    public async Task Login_DeviceFlow_SavesCredentials_WhoamiAndLogout()
    {
        await using var server = await ServerHarness.StartAsync();
        using var student = await Users.AddAndLoginAsync(server, "cleo", PlatformRoles.Student);
        var config = Path.Combine(server.Root, "cleo.json");

        var start = Cli(config, "--server", server.BaseUrl, "login");
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        string? code = null;
        while (code is null && await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            code = CodeLine().Match(line) is { Success: true } m ? m.Groups[1].Value : null;
        }

        Assert.NotNull(code);
        await EmbeddedLogin.ApproveDeviceAsync(server.BaseUrl, code!, "cleo", student.Password);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"login exited {process.ExitCode}: {await stdout}");
        Assert.Contains("logged in", await stdout, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));

        var whoami = await RunAsync(Cli(config, "whoami", "-o", "json"));
        Assert.True(whoami.ExitCode == 0, whoami.Stderr);
        Assert.Contains("\"cleo\"", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"student\"", whoami.Stdout, StringComparison.Ordinal);

        // Students may not add users: the CLI says so with a non-zero exit.
        var refused = await RunAsync(Cli(config, "user", "add", "mallory", "--role", "admin"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("admin", refused.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync(Cli(config, "logout"))).ExitCode);
        Assert.NotEqual(0, (await RunAsync(Cli(config, "whoami"))).ExitCode);
    }

    private static ProcessStartInfo Cli(string config, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skillvl.dll"));
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Only the given --config counts, not the machine's or the user's.
        start.Environment["HOME"] = Path.GetDirectoryName(config)!;
        start.Environment.Remove("SKILLVL_SERVER");
        start.Environment.Remove("SKILLVL_TOKEN");
        return start;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("enter code (\\S+)")]
    private static partial Regex CodeLine();
}
