using System.Net;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Rooms;

namespace SkillVL.Cli.Tests;

public sealed class OutputTests
{
    private static readonly RoomDefinition Definition = new()
    {
        Metadata = new RoomMetadata { Name = "net-basics", Description = "yes: a room for \"week 1\"" },
        Networks = [new NetworkDefinition { Name = "lan", Cidr = "10.0.1.0/24", Ui = new UiPosition { X = 40, Y = 20.5 } }],
        Machines =
        [
            new MachineDefinition
            {
                Name = "web",
                Template = "tiny",
                Cpus = 1,
                Memory = "256Mi",
                Nics = [new NicDefinition { Network = "lan", Ip = "10.0.1.10" }],
                Ui = new UiPosition { X = 120, Y = 80 },
            },
        ],
    };

    private static readonly RoomDetails Room = new(
        "r-1",
        "net-basics",
        "Ready",
        2,
        2,
        Answers.Now,
        Answers.Now,
        Definition,
        [new MachineStatus("m-1", "web", "local", "running", "running", true, 1, 256L << 20, [new NicStatus("lan", "10.0.1.10", "52:54:00:12:34:56")], null)],
        [new NetworkStatus("n-1", "lan", "10.0.1.0/24", 1450)]);

    [Theory]
    [InlineData("room", "list")]
    [InlineData("room", "get", "net-basics")]
    [InlineData("task", "list")]
    [InlineData("task", "get", "t1")]
    [InlineData("template", "list")]
    [InlineData("node", "list")]
    public async Task Json_Output_IsOnlyTheServersJsonIndented(params string[] args)
    {
        var harness = ScriptedServer();

        var run = await harness.RunAsync([.. args, "-o", "json"]);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Contains("\n  ", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Json_RoomGet_KeepsFieldsTheCliDoesNotKnow()
    {
        var harness = new CliHarness();
        harness.Handler.On(
            "GET",
            "/api/v1/rooms/x",
            new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"name":"x","futureField":{"a":[1,2]},"note":"grüße"}""", System.Text.Encoding.UTF8, "application/json"),
            });

        var run = await harness.RunAsync("room", "get", "x", "-o", "json");

        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Equal(2, document.RootElement.GetProperty("futureField").GetProperty("a").GetArrayLength());
        Assert.Contains("grüße", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Yaml_RoomGet_IsTheDefinitionAndParsesBackToTheSameRoom()
    {
        var harness = ScriptedServer();

        var run = await harness.RunAsync("room", "get", "net-basics", "-o", "yaml");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var parsed = RoomDocument.Parse(run.Stdout);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors) + "\n" + run.Stdout);
        Assert.Equal(RoomDocument.ToJson(Definition), RoomDocument.ToJson(parsed.Definition!));
        Assert.DoesNotContain("phase", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_RoomList_PlainAlignedColumnsWhenPiped()
    {
        var harness = ScriptedServer();

        var run = await harness.RunAsync("room", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("net-basics", lines[1], StringComparison.Ordinal);
        Assert.Equal(lines[0].IndexOf("PHASE", StringComparison.Ordinal), lines[1].IndexOf("Ready", StringComparison.Ordinal));
        Assert.Contains("1/1 running", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_RoomGet_ShowsMachinesAndAddresses()
    {
        var harness = ScriptedServer();

        var run = await harness.RunAsync("room", "get", "net-basics");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("lan=10.0.1.10", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("256Mi", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("10.0.1.0/24", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_RoomGet_SaysWhenTheLifetimeStopsAndDeletesTheRoom()
    {
        var now = DateTimeOffset.UtcNow;
        var harness = new CliHarness();
        harness.Handler.On("GET", "/api/v1/rooms/net-basics", Answers.Json(
            HttpStatusCode.OK, Room with { StopsAt = now.AddHours(2).AddMinutes(30), DeletesAt = now.AddDays(-1) }));

        var run = await harness.RunAsync("room", "get", "net-basics");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Matches(@"Stops:\s+\S+ \S+ \(in 2h\)", run.Stdout);
        Assert.Matches(@"Deleted:\s+\S+ \S+ \(passed\)", run.Stdout);
        Assert.DoesNotContain("Stops:", (await ScriptedServer().RunAsync("room", "get", "net-basics")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_OnTerminal_RendersSpectreTable()
    {
        var harness = new CliHarness { IsTerminal = true };
        harness.Handler.On("GET", "/api/v1/nodes", Answers.Json(HttpStatusCode.OK, new[] { Node() }));

        var run = await harness.RunAsync("node", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("local", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("│", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskGet_Table_ShowsLog()
    {
        var harness = ScriptedServer();

        var run = await harness.RunAsync("task", "get", "t1");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("succeeded", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("starting web", run.Stdout, StringComparison.Ordinal);
    }

    private static CliHarness ScriptedServer()
    {
        var harness = new CliHarness();
        var task = Answers.Task("t1", "succeeded", 1, "ready", "starting web");
        harness.Handler
            .On("GET", "/api/v1/rooms", Answers.Json(HttpStatusCode.OK, new[] { new RoomSummary("r-1", "net-basics", "Ready", 1, 1, 2, Answers.Now) }))
            .On("GET", "/api/v1/rooms/net-basics", Answers.Json(HttpStatusCode.OK, Room))
            .On("GET", "/api/v1/tasks", Answers.Json(HttpStatusCode.OK, new[] { task }))
            .On("GET", "/api/v1/tasks/t1", Answers.Json(HttpStatusCode.OK, task))
            .On("GET", "/api/v1/templates", Answers.Json(HttpStatusCode.OK, new[] { new TemplateInfo("tiny", new string('a', 64), "kernel", 1, 256L << 20, 40L << 20) }))
            .On("GET", "/api/v1/nodes", Answers.Json(HttpStatusCode.OK, new[] { Node() }));
        return harness;
    }

    private static NodeInfo Node() => new("local", "server", "ready", "tcg", 2, 24L << 30, 1, 1, 256L << 20);
}
