using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

/// <summary>The rooms the README applies must pass the schema and the validator as they are in the repository.</summary>
public sealed class ExampleRoomsTests
{
    [Theory]
    [InlineData("net-basics.yaml")]
    [InlineData("routed-lab.yaml")]
    public void Example_PassesSchemaAndValidation(string file)
    {
        var parsed = RoomDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", file)));

        Assert.Empty(parsed.Errors);
        Assert.Empty(RoomValidator.Validate(parsed.Definition!, Context));
    }

    [Fact]
    public void RoutedLab_ClientsGetTheRouterAsGateway()
    {
        var room = RoomDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", "routed-lab.yaml"))).Definition!;

        Assert.Equal("10.0.1.1", RoomRouting.DefaultGateway(room, room.Machines.Single(m => m.Name == "client")));
        Assert.Equal("10.0.2.1", RoomRouting.DefaultGateway(room, room.Machines.Single(m => m.Name == "web")));
        Assert.Equal("10.0.2.1", RoomRouting.NameServer(room, room.Machines.Single(m => m.Name == "web")));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SkillVL.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("SkillVL.slnx not found above the test directory.");
    }
}
