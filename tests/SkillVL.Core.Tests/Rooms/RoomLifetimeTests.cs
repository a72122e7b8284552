using SkillVL.Core.Rooms;
using Xunit;

namespace SkillVL.Core.Tests.Rooms;

/// <summary>A room's lifetime (ADR 0058): its durations, its dates, and the errors that name the field.</summary>
public sealed class RoomLifetimeTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static string Room(string lifetime) => $$"""
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: {name: lab}
        machines:
          - name: a
            template: tiny
        lifetime: {{lifetime}}
        """;

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("45m", 2700)]
    [InlineData("8h", 28800)]
    [InlineData("7d", 604800)]
    public void Durations_ParseWithTheirUnit(string text, int seconds)
    {
        Assert.True(LifetimeDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8")]
    [InlineData("h")]
    [InlineData("8w")]
    [InlineData("-8h")]
    [InlineData("08h")]
    [InlineData("1.5h")]
    [InlineData("8 h")]
    public void NotDurations_DoNotParse(string text) => Assert.False(LifetimeDuration.TryParse(text, out _));

    [Fact]
    public void Schema_ChecksTheFormTheParserReads()
    {
        var lifetime = System.Text.Json.Nodes.JsonNode.Parse(RoomDocument.SchemaJson)!["properties"]!["lifetime"]!["properties"]!;
        Assert.Equal(LifetimeDuration.Pattern, (string?)lifetime["stopAfter"]!["pattern"]);
        Assert.Equal(LifetimeDuration.Pattern, (string?)lifetime["deleteAfter"]!["pattern"]);
        Assert.Equal(LifetimeDuration.Pattern, (string?)lifetime["idleStopAfter"]!["pattern"]);
    }

    [Fact]
    public void Dates_CountFromCreation_AndTheDeletionFromTheStop()
    {
        var both = new RoomLifetime { StopAfter = "8h", DeleteAfter = "7d" };
        Assert.Equal(Created.AddHours(8), both.StopsAt(Created));
        Assert.Equal(Created.AddHours(8).AddDays(7), both.DeletesAt(Created));

        var deleteOnly = new RoomLifetime { DeleteAfter = "2d" };
        Assert.Null(deleteOnly.StopsAt(Created));
        Assert.Equal(Created.AddDays(2), deleteOnly.DeletesAt(Created));

        var stopOnly = new RoomLifetime { StopAfter = "30m" };
        Assert.Equal(Created.AddMinutes(30), stopOnly.StopsAt(Created));
        Assert.Null(stopOnly.DeletesAt(Created));
    }

    [Fact]
    public void Lifetime_RoundTripsThroughYaml()
    {
        var room = RoomSamples.ParseValid(Room("{stopAfter: 8h, deleteAfter: 7d, idleStopAfter: 45m}"));
        Assert.Equal(new RoomLifetime { StopAfter = "8h", DeleteAfter = "7d", IdleStopAfter = "45m" }, room.Lifetime);
        Assert.Equal(room.Lifetime, RoomSamples.ParseValid(RoomDocument.ToYaml(room)).Lifetime);
        Assert.Null(RoomSamples.ParseValid(Room("{stopAfter: 8h}").Replace("lifetime: {stopAfter: 8h}", "", StringComparison.Ordinal)).Lifetime);
    }

    [Theory]
    [InlineData("{stopAfter: 5s}", "lifetime.stopAfter", "'5s' is shorter than 10s")]
    [InlineData("{deleteAfter: 400d}", "lifetime.deleteAfter", "'400d' is longer than 366d")]
    [InlineData("{idleStopAfter: 9s}", "lifetime.idleStopAfter", "'9s' is shorter than 10s")]
    public void LifetimesOutOfRange_AreRefusedByTheValidator_NamingTheField(string lifetime, string field, string message) =>
        Assert.Equal([new ValidationError(field, message)], RoomValidator.Validate(RoomSamples.ParseValid(Room(lifetime)), RoomSamples.Context));

    [Theory]
    [InlineData("{stopAfter: 8 hours}", "lifetime.stopAfter")]
    [InlineData("{stopAfter: 8h, keepFor: 2d}", "lifetime")]
    [InlineData("{idleStopAfter: 2 hours}", "lifetime.idleStopAfter")]
    [InlineData("{}", "lifetime")]
    public void BadLifetimes_AreRefused_NamingTheField(string lifetime, string field)
    {
        var result = RoomDocument.Parse(Room(lifetime));
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Field.StartsWith(field, StringComparison.Ordinal));
    }
}
