namespace SkillVL.Core.Checkout;

/// <summary>
/// The lease a client holds for a checked-out VM (ADR 0025), as the client keeps it beside the VM's disk. The client may
/// run the VM as the live copy only while <paramref name="ExpiresAt"/> lies ahead and the copy is not
/// <paramref name="Fenced"/>; the Server's idea of the same lease never ends earlier (<see cref="LeaseTerms"/>).
/// </summary>
/// <param name="VmId">The VM.</param>
/// <param name="Epoch">The machine's check-out epoch this copy belongs to; a revive on a server raises the machine's.</param>
/// <param name="ExpiresAt">The client's own deadline (its clock at the renewal + the lease's duration).</param>
/// <param name="Fenced">The Server revived the machine elsewhere: this copy is never again the live one.</param>
public sealed record CheckoutLease(string VmId, int Epoch, DateTimeOffset ExpiresAt, bool Fenced = false);
