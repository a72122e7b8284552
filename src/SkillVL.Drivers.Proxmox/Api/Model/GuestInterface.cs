namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>One interface of <c>agent/network-get-interfaces</c>: name, MAC and addresses as <c>ip/prefix</c>.</summary>
public sealed record GuestInterface(string Name, string? MacAddress, IReadOnlyList<string> Addresses);
