namespace GraphCast.Orleans.Silo;

/// <summary>
/// A setting that keeps the silo from starting (an address not of this host, a port in use, a device it does not have):
/// the message is one line naming the setting and the fix. An <see cref="ArgumentException"/>, so the CLI maps it to exit 1.
/// </summary>
public sealed class SiloConfigurationException(string message) : ArgumentException(message);
