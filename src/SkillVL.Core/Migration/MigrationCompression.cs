namespace SkillVL.Core.Migration;

/// <summary>How RAM pages are compressed on the wire. Only multifd methods: QEMU removed the old <c>compress</c>
/// capability in 9.1 (migration-anchors.md §1 row 32).</summary>
public enum MigrationCompression
{
    /// <summary>Pages cross as they are (zero pages still as a header only).</summary>
    None,

    /// <summary><c>multifd-compression: zstd</c> with <c>multifd-zstd-level</c>.</summary>
    Zstd,
}
