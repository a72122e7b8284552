using System.Net;
using System.Text.Json;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Tests;

/// <summary>
/// Issue 17 (Deliver 3): an admin or teacher names another user's room as OWNER/ROOM, and a machine in it as
/// OWNER/ROOM/VM; the CLI sends OWNER/ROOM as one path segment (its slash escaped) for the server to resolve.
/// </summary>
public sealed class OwnerRoomReferenceTests
{
    [Theory]
    [InlineData("delete", "DELETE", "")]
    [InlineData("start", "POST", "/start")]
    [InlineData("stop", "POST", "/stop")]
    [InlineData("reset", "POST", "/reset")]
    [InlineData("upgrade", "POST", "/upgrade")]
    public async Task Issue17_RoomCommand_OwnerSlashRoom_IsOneEscapedSegment(string verb, string method, string suffix)
    {
        var harness = new CliHarness();
        harness.Handler.On(method, "/api/v1/rooms/alice%2Fnet-basics" + suffix, Answers.Json(HttpStatusCode.Accepted, Answers.Task("t1", TaskStates.Queued, 0)));

        var run = await harness.RunAsync("room", verb, "alice/net-basics", "--no-wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("t1", run.Stdout.Trim());
        Assert.Equal($"{method} /api/v1/rooms/alice%2Fnet-basics{suffix}", $"{harness.Handler.Requests.Single().Method} {harness.Handler.Requests.Single().Uri.AbsolutePath}");
    }

    [Fact]
    public async Task Issue17_VmExec_OwnerRoomVm_AddressesTheOwnersRoom()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "POST", "/api/v1/rooms/alice%2Fnet-basics/machines/web/exec", Answers.Json(HttpStatusCode.OK, new ExecResponse(0, "hi\n", "", OutputTruncated: false)));

        var run = await harness.RunAsync("vm", "exec", "alice/net-basics/web", "--", "echo", "hi");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hi\n", run.Stdout);
    }

    [Fact]
    public async Task Issue17_VmMigrate_OwnerRoomVm_SendsTheWholeReference()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/migrations", Answers.Problem(HttpStatusCode.NotFound, "Not found", "Machine 'alice/net-basics/web' was not found"));

        var run = await harness.RunAsync("vm", "migrate", "alice/net-basics/web", "--to", "edge1");

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        using var body = JsonDocument.Parse(harness.Handler.Requests.Single().Body!);
        Assert.Equal("alice/net-basics/web", body.RootElement.GetProperty("machine").GetString());
    }
}
