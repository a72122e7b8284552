namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>The check-out bitmap as QEMU reports it.</summary>
/// <param name="DirtyBytes">Bytes it marks (<c>count</c>).</param>
/// <param name="Inconsistent">QEMU found it marked in use when it opened the image: the last QEMU was killed.</param>
/// <param name="Busy">A job uses it (a sync runs).</param>
public sealed record BitmapState(long DirtyBytes, bool Inconsistent, bool Busy);
