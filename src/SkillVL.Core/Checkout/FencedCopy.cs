namespace SkillVL.Core.Checkout;

/// <summary>A client's copy of a VM that was revived elsewhere, kept as a separate disk (ADR 0025): never merged, never
/// deleted automatically.</summary>
/// <param name="VmId">The VM it was a copy of.</param>
/// <param name="Epoch">The check-out epoch the copy belonged to.</param>
/// <param name="Path">Where the disk is now on the client (<c>&lt;data&gt;/fenced/&lt;vm&gt;-e&lt;epoch&gt;-&lt;utc&gt;.qcow2</c>, mode 0600).</param>
/// <param name="SizeBytes">The file's size.</param>
/// <param name="BytesSinceSync">What its dirty bitmap marked as written since the last sync (whole clusters); null:
/// the bitmap was not there or not trustworthy.</param>
/// <param name="FencedAt">When the client fenced it (its clock).</param>
public sealed record FencedCopy(string VmId, int Epoch, string Path, long SizeBytes, long? BytesSinceSync, DateTimeOffset FencedAt);
