package dev.kv.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kv.api.v1.KVGrpc;
import dev.kv.server.bootstrap.StatefulSetIdentity;
import dev.kv.server.config.HostPort;
import dev.kv.server.config.KvdCommand;
import dev.kv.server.config.NodeConfig;
import dev.kv.server.metrics.MetricsHttpServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Renders deploy/k8s/base with {@code kubectl kustomize} and checks what a reviewer would: that the
 * objects refer to each other correctly, that ports agree with the settings kvd gets, and that
 * those settings are ones kvd reads and accepts.
 */
class ManifestsTest {
  private static RenderedManifests manifests;
  private static StatefulSet statefulSet;
  private static Map<String, String> settings;

  @BeforeAll
  static void render() throws Exception {
    Path deployDir = Path.of(System.getProperty("kv.deploy.dir", "."));
    manifests = RenderedManifests.render(deployDir.resolve("k8s/base")).orElse(null);
    if (manifests != null) {
      statefulSet = manifests.only(StatefulSet.class);
      settings = manifests.only(ConfigMap.class).getData();
    } else {
      System.err.println("ManifestsTest: skipped: " + RenderedManifests.KUBECTL_MISSING);
    }
  }

  /** Each test is skipped, with the reason, when kubectl is missing (outside CI). */
  @BeforeEach
  void requireRenderedManifests() {
    assumeTrue(manifests != null, RenderedManifests.KUBECTL_MISSING);
  }

  @Test
  void everyFieldIsOneKubernetesKnows() {
    assertThat(manifests.unknownFields()).isEmpty();
    assertThat(manifests.all())
        .extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder(
            "ConfigMap", "Service", "Service", "StatefulSet", "PodDisruptionBudget");
  }

  @Test
  void theStatefulSetNamesAHeadlessServiceThatPublishesPodsBeforeTheyAreReady() {
    Service peers = manifests.one(Service.class, statefulSet.getSpec().getServiceName());

    assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
    // Peers must reach a starting node, or a cluster that restarts whole never elects a leader.
    assertThat(peers.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(peers.getSpec().getSelector()).isNotEmpty();
    assertThat(podLabels()).containsAllEntriesOf(peers.getSpec().getSelector());
    assertThat(targetsOf(peers)).contains("raft");
  }

  @Test
  void theClientServiceSelectsThePodsAndTargetsTheApiPort() {
    Service client =
        manifests.all(Service.class).stream()
            .filter(s -> !"None".equals(s.getSpec().getClusterIP()))
            .findFirst()
            .orElseThrow();

    assertThat(client.getSpec().getSelector()).isNotEmpty();
    assertThat(podLabels()).containsAllEntriesOf(client.getSpec().getSelector());
    assertThat(client.getSpec().getPublishNotReadyAddresses()).isNotEqualTo(Boolean.TRUE);
    assertThat(targetsOf(client)).containsExactly("grpc");
  }

  @Test
  void theStatefulSetSelectsItsOwnPodsStartsThemInParallelAndKeepsTheirData() {
    var spec = statefulSet.getSpec();

    assertThat(matches(spec.getSelector(), podLabels())).isTrue();
    assertThat(spec.getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(spec.getVolumeClaimTemplates()).hasSize(1);
    String claim = spec.getVolumeClaimTemplates().get(0).getMetadata().getName();
    VolumeMount data =
        kvd().getVolumeMounts().stream()
            .filter(m -> m.getName().equals(claim))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no container mounts the claim " + claim));
    assertThat(Path.of(settings.get("KV_DATA_DIR"))).startsWithRaw(Path.of(data.getMountPath()));
    // Long enough to hand off leadership and close storage (KvNode.close).
    assertThat(podSpec().getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30L);
  }

  @Test
  void thePodDisruptionBudgetCoversThePodsOneAtATime() {
    PodDisruptionBudget pdb = manifests.only(PodDisruptionBudget.class);

    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(matches(pdb.getSpec().getSelector(), podLabels())).isTrue();
  }

  @Test
  void noTwoReplicasShareAMachine() {
    List<PodAffinityTerm> required =
        podSpec()
            .getAffinity()
            .getPodAntiAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution();

    assertThat(required)
        .anySatisfy(
            term -> {
              assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
              assertThat(matches(term.getLabelSelector(), podLabels())).isTrue();
            });
  }

  @Test
  void portsAndProbesAgreeWithTheAddressesKvdIsGiven() {
    int apiPort = HostPort.parse(settings.get("KV_API_ADDRESS")).port();
    int raftPort = HostPort.parse(settings.get("KV_RAFT_ADDRESS")).port();

    assertThat(containerPort("grpc")).isEqualTo(apiPort);
    assertThat(containerPort("raft")).isEqualTo(raftPort);
    Container kvd = kvd();
    // Kubernetes' native gRPC probe, on the port of the gRPC health service (a gRPC probe takes
    // only a number, not a port name).
    for (Probe probe :
        List.of(kvd.getStartupProbe(), kvd.getLivenessProbe(), kvd.getReadinessProbe())) {
      assertThat(probe.getGrpc()).isNotNull();
      assertThat(probe.getGrpc().getPort()).isEqualTo(apiPort);
      assertThat(probe.getHttpGet()).isNull();
      assertThat(probe.getExec()).isNull();
    }
    // Ready means the KV service serves (KvNode reports it by the service's name).
    assertThat(kvd.getReadinessProbe().getGrpc().getService()).isEqualTo(KVGrpc.SERVICE_NAME);
    assertThat(kvd.getResources().getRequests()).containsKeys("cpu", "memory");
  }

  @Test
  void prometheusScrapesTheMetricsPortKvdListensOn() {
    int metricsPort = HostPort.parse(settings.get(MetricsHttpServer.ENV_ADDRESS)).port();
    Map<String, String> annotations =
        statefulSet.getSpec().getTemplate().getMetadata().getAnnotations();

    assertThat(containerPort("metrics")).isEqualTo(metricsPort);
    assertThat(annotations)
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(metricsPort))
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @Test
  void everySettingIsAnEnvironmentVariableKvdReads() {
    assertThat(KvdEnvironment.all()).containsAll(settings.keySet());
    for (EnvVar env : kvd().getEnv()) {
      if (env.getName().startsWith("KV_")) {
        assertThat(KvdEnvironment.all()).contains(env.getName());
      }
    }
  }

  @Test
  void thePodProvidesTheNamesItsIdentityIsDerivedFrom() {
    Map<String, String> fieldRefs = new HashMap<>();
    for (EnvVar env : kvd().getEnv()) {
      if (env.getValueFrom() != null && env.getValueFrom().getFieldRef() != null) {
        fieldRefs.put(env.getName(), env.getValueFrom().getFieldRef().getFieldPath());
      }
    }

    assertThat(fieldRefs)
        .containsEntry(StatefulSetIdentity.ENV_POD_NAME, "metadata.name")
        .containsEntry(StatefulSetIdentity.ENV_POD_NAMESPACE, "metadata.namespace");
    assertThat(settings.get(StatefulSetIdentity.ENV_PEER_SERVICE))
        .isEqualTo(statefulSet.getSpec().getServiceName());
    // The first start forms the cluster from all the pods the StatefulSet creates.
    assertThat(Integer.parseInt(settings.get(StatefulSetIdentity.ENV_INITIAL_MEMBERS)))
        .isEqualTo(statefulSet.getSpec().getReplicas());
  }

  @Test
  void eachPodGetsAConfigKvdAccepts() {
    int replicas = statefulSet.getSpec().getReplicas();
    int raftPort = containerPort("raft");
    for (int ordinal = 0; ordinal < replicas; ordinal++) {
      Map<String, String> env = new HashMap<>(settings);
      env.put("POD_NAME", statefulSet.getMetadata().getName() + "-" + ordinal);
      env.put("POD_NAMESPACE", "kv-test");
      StatefulSetIdentity identity = StatefulSetIdentity.fromEnvironment(env).orElseThrow();

      NodeConfig config = kvdConfig(identity, raftPort);

      assertThat(config.nodeId().value()).isEqualTo(env.get("POD_NAME"));
      assertThat(config.peers()).hasSize(replicas);
      assertThat(config.peers().get(ordinal).raftAddress().host())
          .isEqualTo(
              env.get("POD_NAME")
                  + "."
                  + statefulSet.getSpec().getServiceName()
                  + ".kv-test.svc.cluster.local");
      assertThat(config.raftAddress().port()).isEqualTo(raftPort);
      assertThat(config.apiAddress().port()).isEqualTo(containerPort("grpc"));
    }
  }

  /**
   * The NodeConfig kvd would build from the ConfigMap plus the pod's identity: every ConfigMap
   * entry that stands for a flag is passed as that flag, so picocli and NodeConfig validate the
   * values (durations, addresses, limits).
   */
  private static NodeConfig kvdConfig(StatefulSetIdentity identity, int raftPort) {
    Map<String, String> flags = KvdEnvironment.flagsByVariable();
    List<String> args = new ArrayList<>();
    settings.forEach(
        (name, value) -> {
          String flag = flags.get(name);
          if (flag != null) {
            args.add(flag);
            args.add(value);
          }
        });
    args.addAll(List.of("--node-id", identity.nodeId().value()));
    args.addAll(List.of("--peers", identity.initialPeersFlag(raftPort)));
    CommandLine cli = new CommandLine(new KvdCommand());
    cli.parseArgs(args.toArray(String[]::new));
    return ((KvdCommand) cli.getCommand()).call();
  }

  private static PodSpec podSpec() {
    return statefulSet.getSpec().getTemplate().getSpec();
  }

  private static Map<String, String> podLabels() {
    return statefulSet.getSpec().getTemplate().getMetadata().getLabels();
  }

  private static Container kvd() {
    assertThat(podSpec().getContainers()).hasSize(1);
    return podSpec().getContainers().get(0);
  }

  private static int containerPort(String name) {
    Optional<ContainerPort> port =
        kvd().getPorts().stream().filter(p -> name.equals(p.getName())).findFirst();
    return port.orElseThrow(() -> new AssertionError("no container port named " + name))
        .getContainerPort();
  }

  /** The container ports (by name) that a Service's ports target; every one must exist. */
  private static List<String> targetsOf(Service service) {
    List<String> targets = new ArrayList<>();
    for (ServicePort port : service.getSpec().getPorts()) {
      String target = port.getTargetPort().getStrVal();
      assertThat(target)
          .as("targetPort of %s must name a container port", port.getName())
          .isNotNull();
      assertThat(containerPort(target)).isEqualTo(port.getPort());
      targets.add(target);
    }
    return targets;
  }

  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    assertThat(selector.getMatchExpressions())
        .as("matchExpressions are not checked here")
        .isEmpty();
    assertThat(selector.getMatchLabels()).isNotEmpty();
    return labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
  }
}
