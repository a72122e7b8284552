using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Checkout;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Machines;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// Renews the leases of checked-out machines (ADR 0025): every <see cref="LeaseTerms.RenewEvery"/> of its lease, a
/// machine whose client is connected gets <c>checkouts.renewLease</c>; the Server's end is the answer's arrival + the
/// lease (<see cref="LeaseTerms.ServerExpiry"/>), never earlier than the client's. A renewal that failed after it was
/// sent may still have reached the client, so the Server's end then moves as if it had, plus the call's bound. A client
/// that is not connected is not called: its lease runs out, it pauses the VM, and the machine may be revived.
/// </summary>
public sealed class CheckoutLeaseService(
    IDbContextFactory<SkillVlDbContext> dbFactory,
    NodeRegistry nodes,
    ActiveMigrations active,
    StartupGate gate,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<CheckoutLeaseService> logger) : BackgroundService
{
    /// <summary>How often the service looks for leases due: the shortest lease (10 s) is renewed every 3.3 s.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>The bound of one renewal call.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The lease of a machine in a room of a course with <paramref name="courseLeaseSeconds"/>.</summary>
    public static TimeSpan LeaseFor(long? courseLeaseSeconds, TimeSpan platform) =>
        courseLeaseSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : platform;

    /// <summary>Whether a lease that ends at <paramref name="expiresAt"/> is due for renewal at <paramref name="now"/>:
    /// never renewed, or renewed <see cref="LeaseTerms.RenewEvery"/> ago.</summary>
    public static bool IsDue(DateTimeOffset? expiresAt, TimeSpan lease, DateTimeOffset now) =>
        expiresAt is not { } end || end - lease + LeaseTerms.RenewEvery(lease) <= now;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await gate.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RenewDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                CheckoutLog.RenewFailed(logger, "*", "*", e);
            }
        }
    }

    /// <summary>One look: renews every lease that is due whose client is connected.</summary>
    internal async Task RenewDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var platform = options.Value.Checkout.Lease;
        var checkedOut = await (
            from m in db.Machines.AsNoTracking()
            where m.CheckoutNode != null
            join r in db.Rooms on m.RoomId equals r.Id
            join c in db.Courses on r.CourseId equals c.Id into courses
            from c in courses.DefaultIfEmpty()
            select new { m.Id, m.Name, Client = m.CheckoutNode!, m.CheckoutEpoch, m.CheckoutLeaseExpiresAt, CourseLease = c == null ? null : c.CheckoutLeaseSeconds })
            .ToListAsync(cancellationToken);
        foreach (var machine in checkedOut)
        {
            var lease = LeaseFor(machine.CourseLease, platform);
            if (!IsDue(machine.CheckoutLeaseExpiresAt, lease, time.GetUtcNow()) || active.IsMigrating(machine.Id)
                || nodes.Find(machine.Client) is not { } node || !nodes.IsReachable(node) || node.Checkouts is not { } checkouts)
            {
                continue;
            }

            DateTimeOffset expires;
            try
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bound.CancelAfter(CallTimeout);
                await checkouts.RenewLeaseAsync(machine.Id, machine.CheckoutEpoch, lease, bound.Token);
                expires = LeaseTerms.ServerExpiry(time.GetUtcNow(), lease);
            }
            catch (Core.Errors.DriverException e) when (!e.IsTransient)
            {
                // The client answered and refused (a fenced copy, a newer epoch): it extended nothing.
                CheckoutLog.RenewRefused(logger, machine.Name, machine.Client, e.Message);
                continue;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                CheckoutLog.RenewFailed(logger, machine.Name, machine.Client, e);
                expires = LeaseTerms.ServerExpiry(time.GetUtcNow(), lease) + CallTimeout;
            }

            // Only ever later, and only while the same check-out lasts.
            await db.Machines
                .Where(m => m.Id == machine.Id && m.CheckoutNode == machine.Client && m.CheckoutEpoch == machine.CheckoutEpoch
                    && (m.CheckoutLeaseExpiresAt == null || m.CheckoutLeaseExpiresAt < expires))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.CheckoutLeaseExpiresAt, expires), cancellationToken);
        }
    }
}
