using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GraphCast.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Api.Tests;

/// <summary>Settings that keep the API from serving stop the silo before it starts, with one line naming the setting and the fix.</summary>
public sealed class ApiSettingsTests
{
    [Fact]
    public void An_api_port_in_use_is_one_line_naming_Api_Port()
    {
        using var holder = new TcpListener(IPAddress.Any, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var error = Assert.Throws<SiloConfigurationException>(() => Build(new()
        {
            ["Api:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Api:Keys:0:Name"] = "a",
            ["Api:Keys:0:Sha256"] = ApiSilo.Sha256("a"),
        }));
        Assert.Equal($"Api:Port {port} is already in use on 0.0.0.0: stop the process that holds it, or set Api:Port to a free port (0 picks one).", error.Message);
    }

    [Fact]
    public void An_api_nobody_can_call_and_a_key_stored_in_clear_are_refused_naming_the_setting()
    {
        var none = Assert.Throws<OptionsValidationException>(() => Build(new() { ["Api:Port"] = "18123" }));
        Assert.Equal(["Api:Enabled is true but no caller can authenticate: add Api:Keys (a name, the key's SHA-256 and a role) or Api:Jwt:Authority and Audience."], none.Failures);

        var clear = Assert.Throws<OptionsValidationException>(() => Build(new()
        {
            ["Api:Port"] = "18123",
            ["Api:Keys:0:Name"] = "ops",
            ["Api:Keys:0:Sha256"] = "my-secret-key",
            ["Api:Keys:0:Role"] = "admin",
        }));
        Assert.Equal(
            [
                "Api:Keys:0:Sha256 must be the SHA-256 of the key as 64 hex digits (printf %s \"$KEY\" | sha256sum), never the key itself.",
                "Api:Keys:0:Role 'admin' must be 'read' or 'submit'.",
            ],
            clear.Failures);
        Assert.DoesNotContain("my-secret-key", clear.Message, StringComparison.Ordinal);
    }

    private static void Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Storage:LocalDirectory"] = Path.GetTempPath(),
            ["Api:Enabled"] = "true",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddGraphCastSilo();
    }
}
