using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

/// <summary>Issue 17: a room's checks (ADR 0042) — their rules, schema and round-trip.</summary>
public sealed class RoomChecksValidatorTests
{
    private const string Lab = """
        metadata: { name: lab }
        networks: [{ name: lan, cidr: 10.0.1.0/24 }, { name: dmz, cidr: 10.0.2.0/24 }]
        machines:
          - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }
          - { name: b, template: tiny, nics: [{ network: dmz, ip: 10.0.2.11 }, { network: lan, ip: 10.0.1.11 }] }
          - { name: d, template: tiny, nics: [{ network: lan }] }

        """;

    /// <summary>(checks, field, message): a room whose checks break exactly one rule.</summary>
    public static TheoryData<string, string, string> BrokenChecks => new()
    {
        { "[{ name: ping-b, machine: c, reaches: b }]", "checks[0].machine", "check 'ping-b': machine 'c' is not in this room; known: a, b, d" },
        {
            "[{ name: done, machine: a, run: 'true' }, { name: done, machine: b, run: 'true' }]",
            "checks[1].name", "'done' is already the name of checks[0]"
        },
        { "[{ name: x, machine: a }]", "checks[0]", "check 'x': say what to check: run (a shell line) or reaches (an address or machine to ping)" },
        { "[{ name: x, machine: a, run: 'true', reaches: b }]", "checks[0]", "check 'x': give either run or reaches, not both (make two checks)" },
        { "[{ name: x, machine: a, reaches: b, expect: { exit: 1 } }]", "checks[0].expect", "check 'x': expect applies to run only; a reaches check passes when the target answers a ping" },
        {
            "[{ name: x, machine: a, reaches: 10.0.1.300 }]",
            "checks[0].reaches", "check 'x': '10.0.1.300' is neither an IPv4 address (like 10.0.1.10) nor a machine of this room; known: a, b, d"
        },
        { "[{ name: x, machine: a, reaches: d }]", "checks[0].reaches", "check 'x': machine 'd' has no static address to ping; give its NIC an ip, or write the address here" },
        { $"[{{ name: x, machine: a, run: '{new string('y', 1025)}' }}]", "checks[0].run", "check 'x': has 1025 characters; at most 1024 are allowed" },
        {
            $"[{{ name: x, machine: a, run: 'true', expect: {{ output: '{new string('y', 1025)}' }} }}]",
            "checks[0].expect.output", "check 'x': has 1025 characters; at most 1024 are allowed"
        },
    };

    [Theory]
    [MemberData(nameof(BrokenChecks))]
    public void Validate_BrokenCheck_NamesTheCheckAndField(string checks, string field, string message)
    {
        var room = ParseValid(Room(Lab + $"checks: {checks}\n"));

        Assert.Equal([new ValidationError(field, message)], RoomValidator.Validate(room, Context));
    }

    [Fact]
    public void Validate_MoreChecksThanTheLimit_IsRefused()
    {
        var checks = string.Join(", ", Enumerable.Range(0, 3).Select(i => $"{{ name: c{i}, machine: a, run: 'true' }}"));
        var room = ParseValid(Room(Lab + $"checks: [{checks}]\n"));
        var context = Context with { Limits = RoomLimits.Default with { MaxChecks = 2 } };

        Assert.Equal([new ValidationError("checks", "a room may have at most 2 checks; this one has 3")], RoomValidator.Validate(room, context));
    }

    [Fact]
    public void Validate_RunAndReachesChecks_HaveNoErrors()
    {
        var room = ParseValid(Room(Lab + """
            checks:
              - { name: done, machine: a, run: test -f /root/done }
              - name: hostname
                machine: b
                run: hostname
                expect: { exit: 0, output: b }
              - { name: ping-b, machine: a, reaches: b }
              - { name: ping-addr, machine: d, reaches: 10.0.2.11 }
            """));

        Assert.Empty(RoomValidator.Validate(room, Context));
        Assert.Equal(4, room.Checks!.Count);
        Assert.Equal(new CheckExpectation { Exit = 0, Output = "b" }, room.Checks[1].Expect);
    }

    [Theory]
    [InlineData("checks: [{ name: x, machine: a, run: 'true', timeout: 5 }]", "checks[0].timeout")]
    [InlineData("checks: [{ name: Bad_Name, machine: a, run: 'true' }]", "checks[0].name")]
    [InlineData("checks: [{ name: x, machine: a, run: '' }]", "checks[0].run")]
    [InlineData("checks: [{ name: x, machine: a, run: 'true', expect: { exit: 256 } }]", "checks[0].expect.exit")]
    [InlineData("checks: [{ machine: a, run: 'true' }]", "checks[0].name")]
    public void Parse_CheckBreakingTheSchema_IsASchemaError(string checks, string field)
    {
        var parsed = RoomDocument.Parse(Room(Lab + checks + "\n"));

        Assert.Null(parsed.Definition);
        Assert.Contains(parsed.Errors, e => e.Field == field);
    }

    [Fact]
    public void RoundTrip_Checks_YamlAndJsonAreLossless()
    {
        var room = ParseValid(Room(Lab + """
            checks:
              - { name: done, machine: a, run: "test -f /root/done && echo 'ok: yes'" }
              - name: exit
                machine: b
                run: exit 3
                expect: { exit: 3, output: "true" }
              - { name: ping-b, machine: a, reaches: b }
            """));

        foreach (var text in new[] { RoomDocument.ToYaml(room), RoomDocument.ToJson(room) })
        {
            var again = ParseValid(text);
            Assert.Equal(room.Checks, again.Checks);
        }

        var yaml = RoomDocument.ToYaml(room);
        Assert.Equal(yaml, RoomDocument.ToYaml(ParseValid(yaml)));
        Assert.DoesNotContain("checks", RoomDocument.ToYaml(ParseValid(Room(Lab))), StringComparison.Ordinal);
    }
}
