namespace SkillVL.Core.Checkout;

/// <summary>One sync from the client into the retained copy.</summary>
/// <param name="BytesCopied">Bytes QEMU's backup job copied (dirty clusters; the whole overlay for a full copy).</param>
/// <param name="TunnelBytes">Bytes the client's tunnel sent and received on the link (TLS records, compressed).</param>
/// <param name="Elapsed">Wall time of the copy.</param>
/// <param name="FullCopy">The bitmap could not be trusted, so the whole overlay was copied.</param>
public sealed record DiskSyncResult(long BytesCopied, long TunnelBytes, TimeSpan Elapsed, bool FullCopy);
