using System.Diagnostics;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using GraphCast.Testing;
using k8s;
using k8s.Models;

namespace GraphCast.Orleans.Silo.Tests.Deploy;

/// <summary>
/// deploy/: both kustomize overlays render (<c>kubectl kustomize</c>, offline) and parse strictly as Kubernetes objects;
/// probes point at the silo's health port, the GPU pool asks for a GPU, the RBAC covers what Orleans' Kubernetes hosting
/// calls, the images are the ones the Dockerfiles build, and no secret is in them. The Dockerfiles are checked for pinned
/// bases, a non-root user, a health check and OCI labels.
/// </summary>
public sealed partial class DeployManifestTests
{
    private static readonly string Root = RepositoryRoot.Find();

    public static TheoryData<string> Overlays => new() { "local", "azure" };

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Silo_deployments_probe_the_health_port_and_run_as_kubernetes_hosted_silos(string overlay)
    {
        var (objects, _) = await RenderAsync(overlay);
        var config = Single<V1ConfigMap>(objects, "graphcast-silo").Data;
        var healthPort = int.Parse(config["GRAPHCAST_Health__Port"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(8080, healthPort);
        Assert.Equal("true", config["GRAPHCAST_Cluster__Kubernetes"]);
        Assert.Equal("azure-table", config["GRAPHCAST_Cluster__Clustering"]);
        var shutdown = TimeSpan.Parse(config["GRAPHCAST_Cluster__ShutdownTimeout"], System.Globalization.CultureInfo.InvariantCulture).TotalSeconds;
        Assert.Equal(100, shutdown);

        var silos = Silos(objects);
        Assert.Equal(["graphcast-silo-cpu", "graphcast-silo-gpu"], silos.Select(d => d.Metadata.Name).Order(StringComparer.Ordinal));
        foreach (var deployment in silos)
        {
            var pod = deployment.Spec.Template;
            var silo = Assert.Single(pod.Spec.Containers);
            Assert.Equal(healthPort, silo.Ports.Single(p => p.Name == "health").ContainerPort);
            Assert.Equal(("/healthz", "health"), (silo.StartupProbe.HttpGet.Path, silo.StartupProbe.HttpGet.Port.Value));
            Assert.Equal(("/healthz", "health"), (silo.LivenessProbe.HttpGet.Path, silo.LivenessProbe.HttpGet.Port.Value));
            Assert.Equal(("/readyz", "health"), (silo.ReadinessProbe.HttpGet.Path, silo.ReadinessProbe.HttpGet.Port.Value));
            Assert.Equal([11111, 30000, healthPort], silo.Ports.Select(p => p.ContainerPort));
            // SIGTERM gives the host its shutdown budget before the kubelet's SIGKILL.
            Assert.True(pod.Spec.TerminationGracePeriodSeconds > shutdown, $"{deployment.Metadata.Name}: terminationGracePeriodSeconds {pod.Spec.TerminationGracePeriodSeconds} <= {shutdown}");
            Assert.Equal("graphcast-silo", pod.Spec.ServiceAccountName);
            Assert.Equal(config["GRAPHCAST_Cluster__ClusterId"], pod.Metadata.Labels["orleans/clusterId"]);
            Assert.Equal(config["GRAPHCAST_Cluster__ServiceId"], pod.Metadata.Labels["orleans/serviceId"]);
            var env = silo.Env.ToDictionary(e => e.Name);
            Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
            Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
            Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].ValueFrom.FieldRef.FieldPath);
            Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANS_CLUSTER_ID"].ValueFrom.FieldRef.FieldPath);
            Assert.Equal("graphcast-silo", Assert.Single(silo.EnvFrom).ConfigMapRef.Name);
            Assert.True(silo.SecurityContext.ReadOnlyRootFilesystem);
            Assert.False(silo.SecurityContext.AllowPrivilegeEscalation);
            Assert.True(pod.Spec.SecurityContext.RunAsNonRoot);
            Assert.Equal(["/tmp", "/var/cache/graphcast", "/etc/graphcast/tls"], silo.VolumeMounts.Select(m => m.MountPath));
            Assert.StartsWith("/var/cache/graphcast/", config["GRAPHCAST_Models__GraphCacheDirectory"], StringComparison.Ordinal);
            Assert.True(silo.Resources.Requests.ContainsKey("memory") && silo.Resources.Requests.ContainsKey("cpu"));
        }

        var gpu = silos.Single(d => d.Metadata.Name == "graphcast-silo-gpu").Spec.Template.Spec;
        Assert.Equal("1", gpu.Containers[0].Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Equal("1", gpu.Containers[0].Resources.Requests["nvidia.com/gpu"].ToString());
        Assert.Equal("true", gpu.NodeSelector["nvidia.com/gpu.present"]);
        Assert.Contains(gpu.Tolerations, t => t.Key == "nvidia.com/gpu" && t.Effect == "NoSchedule");
        Assert.Equal("auto", gpu.Containers[0].Env.Single(e => e.Name == "GRAPHCAST_Compute__Device").Value);
        var cpu = silos.Single(d => d.Metadata.Name == "graphcast-silo-cpu").Spec.Template.Spec;
        Assert.False(cpu.Containers[0].Resources.Limits.ContainsKey("nvidia.com/gpu"));
        Assert.Equal("cpu", cpu.Containers[0].Env.Single(e => e.Name == "GRAPHCAST_Compute__Device").Value);

        // One disruption budget per pool, each selecting exactly its Deployment's pods.
        var budgets = objects.OfType<V1PodDisruptionBudget>().ToList();
        Assert.Equal(2, budgets.Count);
        foreach (var deployment in silos)
        {
            var budget = Assert.Single(budgets, b => Selects(b.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels));
            Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
        }

        var gateway = Single<V1Service>(objects, "graphcast-gateway");
        Assert.Equal(30000, gateway.Spec.Ports.Single().Port);
        Assert.All(silos, d => Assert.True(Selects(gateway.Spec.Selector, d.Spec.Template.Metadata.Labels)));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Silos_use_mutual_tls_from_a_mounted_secret_and_admit_only_silos_and_named_clients_to_their_ports(string overlay)
    {
        var (objects, _) = await RenderAsync(overlay);
        var config = Single<V1ConfigMap>(objects, "graphcast-silo").Data;
        Assert.Equal("/etc/graphcast/tls/tls.crt", config["GRAPHCAST_Cluster__Tls__CertificatePath"]);
        Assert.Equal("/etc/graphcast/tls/tls.key", config["GRAPHCAST_Cluster__Tls__KeyPath"]);
        Assert.Equal("/etc/graphcast/tls/ca.crt", config["GRAPHCAST_Cluster__Tls__CaPath"]);
        Assert.DoesNotContain(config.Keys, k => k.Contains("Password", StringComparison.OrdinalIgnoreCase));
        var silos = Silos(objects);
        foreach (var deployment in silos)
        {
            // The files come from a Secret that the manifests mount but do not hold (no Secret object: docs/deploy.md makes it).
            var pod = deployment.Spec.Template.Spec;
            var mount = Assert.Single(pod.Containers[0].VolumeMounts, m => m.MountPath == "/etc/graphcast/tls");
            Assert.True(mount.ReadOnlyProperty);
            var volume = Assert.Single(pod.Volumes, v => v.Name == mount.Name);
            Assert.Equal("graphcast-silo-tls", volume.Secret.SecretName);
        }

        Assert.DoesNotContain(objects, o => o is V1Secret);

        // The NetworkPolicy covers every silo pod: the silo port only from silos, the gateway port from silos and pods labelled
        // graphcast.io/client=true, the health port from anywhere (probes, Prometheus); nothing else is admitted.
        var policy = Single<V1NetworkPolicy>(objects, "graphcast-silo");
        Assert.All(silos, d => Assert.True(Selects(policy.Spec.PodSelector.MatchLabels, d.Spec.Template.Metadata.Labels)));
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        var admitted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var rule in policy.Spec.Ingress)
        {
            var sources = rule.FromProperty is null ? ["anyone"] : rule.FromProperty.Select(f =>
            {
                Assert.Null(f.NamespaceSelector);
                Assert.Null(f.IpBlock);
                return string.Join(",", f.PodSelector.MatchLabels.Select(l => $"{l.Key}={l.Value}"));
            }).ToList();
            foreach (var port in rule.Ports)
            {
                Assert.Equal("TCP", port.Protocol);
                foreach (var source in sources)
                {
                    admitted.Add($"{port.Port.Value} from {source}");
                }
            }
        }

        Assert.Equal(
            ["11111 from app.kubernetes.io/name=graphcast-silo", "30000 from app.kubernetes.io/name=graphcast-silo", "30000 from graphcast.io/client=true", "8080 from anyone"],
            admitted);
        var ports = silos.SelectMany(d => d.Spec.Template.Spec.Containers[0].Ports).ToList();
        Assert.Equal([11111], ports.Where(p => p.Name == "silo").Select(p => p.ContainerPort).Distinct());
        Assert.Equal([30000], ports.Where(p => p.Name == "gateway").Select(p => p.ContainerPort).Distinct());
        Assert.Equal([8080], ports.Where(p => p.Name == "health").Select(p => p.ContainerPort).Distinct());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_role_lets_orleans_kubernetes_hosting_manage_pods_and_nothing_else(string overlay)
    {
        var (objects, _) = await RenderAsync(overlay);
        var role = Single<V1Role>(objects, "graphcast-orleans-hosting");
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        // KubernetesClusterAgent: read and label its own pod, list and watch the cluster's pods, delete a dead silo's pod.
        Assert.Equal(["delete", "get", "list", "patch", "watch"], rule.Verbs.Order(StringComparer.Ordinal));
        var binding = Single<V1RoleBinding>(objects, "graphcast-orleans-hosting");
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "graphcast-silo"), (subject.Kind, subject.Name));
        var account = Single<V1ServiceAccount>(objects, "graphcast-silo");
        Assert.Equal(role.Metadata.NamespaceProperty, account.Metadata.NamespaceProperty);
        Assert.Equal("graphcast", account.Metadata.NamespaceProperty);
        Assert.DoesNotContain(objects, o => o is V1ClusterRole or V1ClusterRoleBinding);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_images_are_the_ones_the_dockerfiles_build_and_no_secret_is_in_the_manifests(string overlay)
    {
        var (objects, yaml) = await RenderAsync(overlay);
        var title = Label(Dockerfile("silo"), "org.opencontainers.image.title");
        Assert.Equal("graphcast-silo", title);
        foreach (var deployment in Silos(objects))
        {
            var image = deployment.Spec.Template.Spec.Containers[0].Image;
            var (repository, tag) = (image[..image.LastIndexOf(':')], image[(image.LastIndexOf(':') + 1)..]);
            Assert.Equal(title, repository.Split('/')[^1]);
            // The GPU pool runs the CUDA build (TORCH_BACKEND=cuda), tagged -cuda; the CPU pool the default one.
            Assert.Equal(deployment.Metadata.Name.EndsWith("-gpu", StringComparison.Ordinal), tag.EndsWith("-cuda", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(objects, o => o is V1Secret);
        foreach (var secretish in new[] { "AccountKey", "SharedAccessSignature", "sig=", "password", "PRIVATE KEY" })
        {
            Assert.DoesNotContain(secretish, yaml, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task The_local_overlay_runs_azurite_in_the_cluster_and_reaches_it_by_service_name()
    {
        var (objects, _) = await RenderAsync("local");
        var azurite = Single<V1Deployment>(objects, "azurite");
        Assert.Equal("mcr.microsoft.com/azure-storage/azurite:3.37.0", azurite.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal([10000, 10001, 10002], Single<V1Service>(objects, "azurite").Spec.Ports.Select(p => p.Port));
        var config = Single<V1ConfigMap>(objects, "graphcast-silo").Data;
        Assert.Equal(new Uri("http://azurite:10000/devstoreaccount1"), new BlobServiceClient(config["GRAPHCAST_Storage__ConnectionString"]).Uri);
        Assert.Equal(new Uri("http://azurite:10002/devstoreaccount1"), new TableServiceClient(config["GRAPHCAST_Cluster__ConnectionString"]).Uri);
        Assert.Equal(0, Single<V1Deployment>(objects, "graphcast-silo-gpu").Spec.Replicas);
    }

    [Fact]
    public async Task The_azure_overlay_uses_workload_identity_and_endpoints_only()
    {
        var (objects, _) = await RenderAsync("azure");
        var config = Single<V1ConfigMap>(objects, "graphcast-silo").Data;
        Assert.Equal("https", new Uri(config["GRAPHCAST_Cluster__TableServiceUri"]).Scheme);
        Assert.Equal("https", new Uri(config["GRAPHCAST_Storage__ServiceUri"]).Scheme);
        Assert.DoesNotContain(config.Keys, k => k.EndsWith("ConnectionString", StringComparison.Ordinal));
        var clientId = Single<V1ConfigMap>(objects, "graphcast-workload-identity").Data["AZURE_CLIENT_ID"];
        Assert.True(Guid.TryParse(clientId, out _));
        Assert.Equal(clientId, Single<V1ServiceAccount>(objects, "graphcast-silo").Metadata.Annotations["azure.workload.identity/client-id"]);
        Assert.All(Silos(objects), d => Assert.Equal("true", d.Spec.Template.Metadata.Labels["azure.workload.identity/use"]));
        Assert.All(Silos(objects), d => Assert.StartsWith("graphcast.azurecr.io/graphcast-silo:", d.Spec.Template.Spec.Containers[0].Image, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("silo", "graphcast-silo")]
    [InlineData("cli", "graphcast-cli")]
    public void Dockerfiles_pin_their_bases_run_as_a_user_and_carry_oci_labels(string name, string title)
    {
        var text = Dockerfile(name);
        var stages = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match from in FromLine().Matches(text))
        {
            var image = from.Groups["image"].Value;
            if (!image.StartsWith("runtime-${", StringComparison.Ordinal))
            {
                // A registry image with an exact version tag: never latest, never a bare major version.
                Assert.Matches(@"^[a-z0-9./-]+:\d+\.\d+\.\d+(-[a-z0-9.-]+)?$", image);
            }

            stages.Add(from.Groups["stage"].Value);
        }

        Assert.Contains("build", stages);
        Assert.Equal(title, Label(text, "org.opencontainers.image.title"));
        Assert.Equal("${VERSION}", Label(text, "org.opencontainers.image.version"));
        Assert.Equal("${COMMIT}", Label(text, "org.opencontainers.image.revision"));
        // A continuation line never swallows the next instruction (a trailing '\' left after an edit would).
        Assert.DoesNotMatch(@"\\\n(FROM|RUN|COPY|WORKDIR|ENV|USER|LABEL|ENTRYPOINT|CMD|EXPOSE|HEALTHCHECK|ARG) ", text);
        Assert.Matches(@"(?m)^USER 1654$", text);
        Assert.Matches(@"(?m)^HEALTHCHECK ", text);
        var ignore = File.ReadAllLines(Path.Combine(Root, "deploy", "docker", name + ".Dockerfile.dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.Contains(".git/", ignore);
    }

    [Fact]
    public async Task The_silo_image_serves_health_on_the_port_the_manifests_probe_and_builds_either_backend()
    {
        var text = Dockerfile("silo");
        Assert.Contains("GRAPHCAST_Health__Port=8080", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^EXPOSE 11111 30000 8080$", text);
        Assert.Contains("-p:TorchBackend=${TORCH_BACKEND}", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^ARG TORCH_BACKEND=cpu$", text);
        Assert.Contains("FROM runtime-${TORCH_BACKEND} AS final", text, StringComparison.Ordinal);
        Assert.Contains("CMD [\"bash\", \"-c\", \"exec 3<>/dev/tcp/127.0.0.1/${GRAPHCAST_Health__Port}", text, StringComparison.Ordinal);
        var (objects, _) = await RenderAsync("local");
        Assert.Equal("8080", Single<V1ConfigMap>(objects, "graphcast-silo").Data["GRAPHCAST_Health__Port"]);
    }

    private static string Dockerfile(string name) => File.ReadAllText(Path.Combine(Root, "deploy", "docker", name + ".Dockerfile"));

    /// <summary>A LABEL's value (labels span continuation lines in these Dockerfiles).</summary>
    private static string Label(string dockerfile, string key) =>
        Regex.Match(dockerfile, Regex.Escape(key) + "=\"(?<v>[^\"]*)\"").Groups["v"].Value;

    [GeneratedRegex(@"(?m)^FROM (?<image>\S+) AS (?<stage>\S+)$")]
    private static partial Regex FromLine();

    private static List<V1Deployment> Silos(IEnumerable<object> objects) =>
        objects.OfType<V1Deployment>().Where(d => d.Metadata.Labels is { } labels && labels.TryGetValue("app.kubernetes.io/name", out var name) && name == "graphcast-silo").ToList();

    private static T Single<T>(IEnumerable<object> objects, string name)
        where T : IMetadata<V1ObjectMeta> =>
        Assert.Single(objects.OfType<T>(), o => o.Metadata.Name == name);

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    /// <summary><c>kubectl kustomize deploy/k8s/overlays/NAME</c> (no cluster needed), parsed strictly: an unknown field fails.</summary>
    private static async Task<(List<object> Objects, string Yaml)> RenderAsync(string overlay)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(Root, "deploy", "k8s", "overlays", overlay)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var yaml = await stdout;
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {overlay}: {await stderr}");
        var objects = KubernetesYaml.LoadAllFromString(yaml, strict: true);
        Assert.DoesNotContain(objects, o => o is null);
        return (objects, yaml);
    }
}
