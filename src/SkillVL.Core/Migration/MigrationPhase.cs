namespace SkillVL.Core.Migration;

/// <summary>The phases of a predicted migration, in the order they run.</summary>
public enum MigrationPhase
{
    /// <summary>Connections to the target: TCP, TLS and QEMU/NBD handshakes.</summary>
    Setup,

    /// <summary>The template the overlay is backed by, when the target's store lacks it (sent once, then cached).</summary>
    BaseImage,

    /// <summary><c>blockdev-mirror</c> of the VM's overlay to the target's NBD export, until it is in sync.</summary>
    DiskMirror,

    /// <summary>Iterative pre-copy of RAM while the guest runs (rounds 0 … n−1).</summary>
    RamPreCopy,

    /// <summary>Stop-and-copy: the guest is paused, the last dirty pages cross, the target resumes (the downtime).</summary>
    SwitchOver,
}
