namespace SkillVL.Core.Templates;

public enum BootMethod
{
    /// <summary>Direct kernel boot: the template ships a kernel, an initrd and a command line next to its disk.</summary>
    Kernel,

    /// <summary>The disk boots itself (BIOS/UEFI); the usual Proxmox template.</summary>
    Disk,
}
