using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Server.Data;
using Xunit;

namespace SkillVL.IntegrationTests.Migrations;

/// <summary>Migration progress reaches the live event stream of whoever may see the machine, and no one else's.</summary>
[Collection(VmCollection.Name)]
public sealed class MigrationEventsTests
{
    [Fact]
    public async Task ProgressOfAMigration_IsStreamedAsMigrationEvents_ToTheOwnerOnly()
    {
        await using var server = await ServerHarness.StartAsync();
        using var owner = await Auth.Users.AddAndLoginAsync(server, "olga", PlatformRoles.Student);
        using var other = await Auth.Users.AddAndLoginAsync(server, "otis", PlatformRoles.Student);
        var db = server.App.Services.GetRequiredService<IDbContextFactory<SkillVlDbContext>>();
        await using (var context = await db.CreateDbContextAsync())
        {
            // The row the runner keeps up to date while a migration moves (a single node cannot run one here).
            context.Migrations.Add(new MigrationEntity
            {
                Id = "streamed1", MachineId = "m-olga", MachineName = "web", RoomId = "r-olga", RoomName = "lab", OwnerId = owner.Id,
                SourceNode = "local", TargetNode = "edge1", Mode = "live", State = MigrationStates.Running, Phase = MigrationPhases.TransferDisk,
                LimitsJson = "{}", DiskTransfer = "overlay", Tuning = "policy", CreatedAt = DateTimeOffset.UtcNow, BytesDone = 1 << 20, BytesTotal = 4 << 20,
            });
            await context.SaveChangesAsync();
        }

        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ownerToken = owner.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        var otherToken = other.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        using var ownerStream = await EventStreams.OpenAsync(http, server, ownerToken, null, stop.Token);
        using var otherStream = await EventStreams.OpenAsync(http, server, otherToken, null, stop.Token);
        var reader = new StreamReader(await ownerStream.Content.ReadAsStreamAsync(stop.Token));
        var otherText = new StringBuilder();
        var otherReader = new StreamReader(await otherStream.Content.ReadAsStreamAsync(stop.Token));
        var otherReading = Task.Run(async () =>
        {
            try
            {
                while (await otherReader.ReadLineAsync(stop.Token) is { } line)
                {
                    otherText.AppendLine(line);
                }
            }
            catch (OperationCanceledException)
            {
                // The test ended the stream.
            }
        }, CancellationToken.None);

        var first = await ReadMigrationEventAsync(reader, stop.Token);
        Assert.Contains("\"phase\":\"transfer-disk\"", first, StringComparison.Ordinal);
        Assert.Contains("\"bytesDone\":1048576", first, StringComparison.Ordinal);

        // The runner writes progress (SaveChanges, which wakes the streams); the next event carries it.
        await using (var context = await db.CreateDbContextAsync())
        {
            var row = await context.Migrations.SingleAsync(m => m.Id == "streamed1");
            row.Phase = MigrationPhases.LiveCopyRam;
            row.BytesDone = 3L << 20;
            await context.SaveChangesAsync();
        }

        var second = await ReadMigrationEventAsync(reader, stop.Token);
        Assert.Contains("\"phase\":\"live-copy-ram\"", second, StringComparison.Ordinal);
        Assert.Contains("\"bytesDone\":3145728", second, StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await otherReading;
        Assert.DoesNotContain("streamed1", otherText.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> ReadMigrationEventAsync(StreamReader reader, CancellationToken ct)
    {
        var migration = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line == "event: migration")
            {
                migration = true;
            }
            else if (migration && line.StartsWith("data:", StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException("the event stream ended");
    }
}
