namespace SkillVL.Core.Api.Checkouts;

/// <summary>The answer to <c>POST .../sync</c>: the sync that ran now, and the check-out after it.</summary>
/// <param name="BytesCopied">Bytes the client copied into the retained copy (dirty clusters; the whole overlay when
/// <paramref name="FullCopy"/>).</param>
/// <param name="TunnelBytes">Bytes the client's tunnel put on the link for it.</param>
/// <param name="ElapsedMs">Wall time of the copy.</param>
/// <param name="FullCopy">The client's bitmap could not be trusted (its QEMU was killed), so all of its overlay was sent.</param>
public sealed record CheckoutSyncInfo(CheckoutInfo Checkout, long BytesCopied, long TunnelBytes, double ElapsedMs, bool FullCopy);
