using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Machines;

namespace SkillVL.Server.Tests.Machines;

/// <summary>A machine's cloudInit reaches its VmSpec from the stored room document (ADR 0059; no column holds it).</summary>
public sealed class MachineSpecsCloudInitTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQ7xMUAEuCQR3a6tm8S9Jf6TKzj1Yx7U6DQhU2g0E4r student@lab";

    [Fact]
    public void CloudInitOf_ReadsEachMachinesKeysAndUserData_ByName()
    {
        var room = Room($$"""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: {name: lab}
            machines:
              - name: web
                template: debian12
                cloudInit:
                  sshKeys: ["{{Key}}"]
                  userData: "#!/bin/sh\necho hi\n"
              - name: db
                template: debian12
            """);

        var byName = MachineSpecs.CloudInitOf(room);

        var web = Assert.Single(byName).Value;
        Assert.Equal([Key], web.SshKeys);
        Assert.Equal("#!/bin/sh\necho hi\n", web.UserData);
        Assert.False(byName.ContainsKey("db"));
        var machine = new MachineEntity { Id = "0123456789ab", RoomId = "r1", Name = "web", TemplateName = "debian12", TemplateSha256 = new string('a', 64), NodeName = "local", DesiredState = "running", Cpus = 1, MemoryBytes = 512L << 20 };
        var spec = MachineSpecs.ToSpec(machine, new Dictionary<string, NetworkEntity>(), "lab", byName["web"]);
        Assert.Same(web, spec.CloudInit);
        Assert.Equal(MachineSpecs.ToSpec(machine, new Dictionary<string, NetworkEntity>()).SpecHash, spec.SpecHash);
    }

    [Fact]
    public void CloudInitOf_ARoomWithoutIt_IsEmpty() =>
        Assert.Empty(MachineSpecs.CloudInitOf(Room("apiVersion: skillvl.io/v1\nkind: Room\nmetadata: {name: lab}\nmachines: [{name: a, template: tiny}]\n")));

    private static RoomEntity Room(string yaml) => new()
    {
        Id = "r1",
        Name = "lab",
        OwnerId = "u1",
        DefinitionJson = RoomDocument.ToJson(RoomDocument.Parse(yaml).Definition!),
    };
}
